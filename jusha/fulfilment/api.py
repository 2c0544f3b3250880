"""Public reads of delivery batches: /api/v1/projects/{slug}/batches[/{number}]."""

from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.core.errors import NotFound
from jusha.core.pagination import Page
from jusha.fulfilment.schemas import BatchDetailOut, BatchListOut, batch_detail_out, batch_out
from jusha.fulfilment.selectors import project_batches, with_timeline
from jusha.projects.models import Project
from jusha.projects.selectors import is_public

router = Router(tags=["fulfilment"])


def _public_project(slug: str) -> Project:
    project = Project.objects.filter(slug=slug).first()
    if project is None or not is_public(project):
        raise NotFound(_("There is no such project."))
    return project


@router.get("/projects/{slug}/batches", response=BatchListOut, auth=None, summary="A project's delivery batches")
def list_batches(request, slug: str, page: Query[Page]):
    """Newest first. `late` says the batch is past the deadline of its current status."""
    project = _public_project(slug)
    batches = project_batches(project)
    page = with_timeline(page.window(batches))
    for batch in page:
        batch.project = project
    return {"items": [batch_out(request, b) for b in page], "count": batches.count()}


@router.get("/projects/{slug}/batches/{number}", response=BatchDetailOut, auth=None, summary="One delivery batch")
def get_batch(request, slug: str, number: int):
    """With its invoice and every delivery confirmation (pseudonym, county, time, and a
    photo only where the recipient consented); never a name or a signature."""
    project = _public_project(slug)
    batch = project_batches(project).select_related("expenditure").filter(number=number).first()
    if batch is None:
        raise NotFound(_("There is no such delivery batch."), code="batch_unknown")
    batch.project = project
    return batch_detail_out(request, with_timeline([batch])[0], batch.confirmations.all())
