from ninja import Query, Router, Schema
from pydantic import Field

from jusha.ledger.permissions import access_ledger_project
from jusha.ledger.schemas import ledger_rows
from jusha.ledger.selectors import project_entries, with_expenditures

router = Router(tags=["ledger"])


class Page(Schema):
    limit: int = Field(50, ge=1, le=500)
    offset: int = Field(0, ge=0)


@router.get("/projects/{slug}/ledger", auth=None, response=dict)
def project_ledger(request, slug: str, page: Query[Page]):
    """Every movement of the project's money, newest first: gifts in; refunds and
    expenditures (with budget line and voucher) out."""
    project = access_ledger_project(user=request.user, slug=slug)
    entries = project_entries(project)
    shown = with_expenditures(entries[page.offset : page.offset + page.limit])
    items = ledger_rows(shown, media_url=lambda f: request.build_absolute_uri(f.url))
    return {"items": items, "count": entries.count()}
