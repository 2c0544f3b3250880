from django.shortcuts import render
from django.views.decorators.http import require_safe

from jusha.core.pages import domain_errors
from jusha.core.sections import collect_sections
from jusha.funds import rules, selectors
from jusha.funds.contributions import fund_sections
from jusha.funds.permissions import access_fund
from jusha.projects.selectors import largest_unmet_needs, project_cards, project_sums



@require_safe
def fund_list(request):
    return render(request, "funds/list.html", {"funds": selectors.funds_list(), "rule_text": rules.RULE_TEXT})


@require_safe
@domain_errors
def fund_detail(request, cause):
    fund = access_fund(cause=cause)
    project_cards([fund.project])
    return render(request, "funds/detail.html", {
        "fund": fund, "sums": project_sums([fund.project_id])[fund.project_id], "rule_text": rules.RULE_TEXT,
        "grants": selectors.fund_grants(fund), "needs": largest_unmet_needs(limit=6, cause=fund.cause),
        "sections": collect_sections(fund_sections, fund),
    })
