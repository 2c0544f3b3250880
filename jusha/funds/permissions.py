"""Loading cause funds on someone's behalf, or refusing."""

from django.utils.translation import gettext as _

from jusha.core.errors import NotFound
from jusha.funds.models import CauseFund


def access_fund(*, cause: str) -> CauseFund:
    """Anyone may see a cause's fund (its money and grants are public)."""
    fund = CauseFund.objects.select_related("project__organisation").filter(cause=cause).first()
    if fund is None:
        raise NotFound(_("There is no fund for this cause."), code="not_found")
    return fund
