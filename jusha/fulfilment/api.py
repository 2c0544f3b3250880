"""Public reads of delivery batches: /api/v1/projects/{slug}/batches[/{number}]."""

from ninja import Query, Router

from jusha.core.pagination import Page
from jusha.fulfilment.permissions import access_public_batch, access_public_batches
from jusha.fulfilment.schemas import BatchDetailOut, BatchListOut, batch_detail_out, batch_out
from jusha.fulfilment.selectors import batch_confirmations, project_batches, with_timeline

router = Router(tags=["fulfilment"])


@router.get("/projects/{slug}/batches", response=BatchListOut, auth=None, summary="A project's delivery batches")
def list_batches(request, slug: str, page: Query[Page]):
    """Newest first. `late` says the batch is past the deadline of its current status."""
    project = access_public_batches(slug=slug)
    batches = project_batches(project)
    page = with_timeline(page.window(batches))
    for batch in page:
        batch.project = project
    return {"items": [batch_out(request, b) for b in page], "count": batches.count()}


@router.get("/projects/{slug}/batches/{number}", response=BatchDetailOut, auth=None, summary="One delivery batch")
def get_batch(request, slug: str, number: int):
    """With its invoice and every delivery confirmation (pseudonym, county, time, and a
    photo only where the recipient consented); never a name or a signature."""
    batch = access_public_batch(slug=slug, number=number)
    confirmations = batch_confirmations(batch)
    batch.delivered = len(confirmations)
    return batch_detail_out(request, with_timeline([batch])[0], confirmations)
