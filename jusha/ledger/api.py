from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from jusha.core.errors import NotFound
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import project_entries
from jusha.projects.models import Project

router = Router(tags=["ledger"])
PUBLIC = ("fundraising", "funded", "executing", "completed", "cancelled")


class Page(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get("/projects/{slug}/ledger", auth=None, response=dict)
def project_ledger(request, slug: str, page: Query[Page]):
    """Every movement of the project's money, newest first: gifts in; refunds and
    expenditures (with budget line and voucher) out."""
    project = Project.objects.filter(slug=slug, status__in=PUBLIC).first()
    if project is None:
        raise NotFound(_("No such project."), code="not_found")
    entries = project_entries(project)
    items = ledger_rows(entries[page.offset : page.offset + page.limit], media_url=lambda f: request.build_absolute_uri(f.url))
    return {"items": items, "count": entries.count()}
