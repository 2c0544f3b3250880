from django.utils.translation import gettext as _
from ninja import Query, Router

from jusha.core.errors import NotFound
from jusha.core.pagination import page_query
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import project_entries
from jusha.projects.models import Project

LedgerPage = page_query(default=50, maximum=500)

router = Router(tags=["ledger"])
PUBLIC = ("fundraising", "funded", "executing", "completed", "cancelled")


@router.get("/projects/{slug}/ledger", auth=None, response=dict)
def project_ledger(request, slug: str, page: Query[LedgerPage]):
    """Every movement of the project's money, newest first: gifts in; refunds and
    expenditures (with budget line and voucher) out."""
    project = Project.objects.filter(slug=slug, status__in=PUBLIC).first()
    if project is None:
        raise NotFound(_("No such project."), code="not_found")
    entries = project_entries(project)
    items = ledger_rows(page.window(entries), media_url=lambda f: request.build_absolute_uri(f.url))
    return {"items": items, "count": entries.count()}
