from ninja import Query, Router

from jusha.core.pagination import page_query
from jusha.ledger.permissions import access_ledger_project
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import project_entries, with_expenditures
from jusha.projects.selectors import project_sums

LedgerPage = page_query(default=50, maximum=500)

router = Router(tags=["ledger"])


@router.get("/projects/{slug}/ledger", auth=None, response=dict)
def project_ledger(request, slug: str, page: Query[LedgerPage]):
    """Every movement of the project's money, newest first: gifts in; refunds and
    expenditures (with budget line and voucher) out."""
    project = access_ledger_project(user=request.user, slug=slug)
    entries = project_entries(project)
    shown = with_expenditures(page.window(entries))
    items = ledger_rows(shown, media_url=lambda f: request.build_absolute_uri(f.url))
    return {"items": items, "count": entries.count(), "funds": project_sums([project.pk])[project.pk].figures()}
