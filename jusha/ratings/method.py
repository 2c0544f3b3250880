"""The method in words: each indicator's name, formula, the gaming it resists and what would
raise it, in the reader's language. The method page, the rating page and the API's
`explanation` all read these, so there is one text per formula."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from jusha.ratings import rules

TEXTS: dict[str, dict] = {
    "disclosure_timeliness": {
        "name": _("Disclosure timeliness"),
        "formula": _(
            "The median number of days from the day money was spent to the day the expenditure was published "
            "with its voucher, each yuan counting once (a money-weighted median). A median of %(full)d days or "
            "less scores 100; %(zero)d days or more scores 0; in between, in a straight line."
        ) % {"full": rules.TIMELY_DAYS, "zero": rules.LATE_DAYS},
        "gaming": _(
            "Publishing many small expenditures quickly to hide one large late one does not help: the median "
            "weighs each expenditure by its amount. Splitting one expenditure into many changes nothing."
        ),
        "tip": _("Record each expenditure, with its voucher, within a week of spending."),
    },
    "completeness": {
        "name": _("Completeness"),
        "formula": _(
            "The mean of two shares: the share of money spent that has a voucher, and the share of the budget "
            "(by amount) of projects that spend whose lines have at least one expenditure reported against them."
        ),
        "gaming": _(
            "Both shares weigh money, not records: ten small vouchers do not cover one large expenditure without "
            "one, and a large budget line left unreported weighs as much as its amount."
        ),
        "tip": _("Report spending against every budget line, each expenditure with its voucher."),
    },
    "traceability": {
        "name": _("Traceability"),
        "formula": _(
            "The share of the money out in the journal (expenditure entries) that is linked to a fact already "
            "sequenced in the public log, which anyone can check has never been rewritten."
        ),
        "gaming": _("Amounts are read from the journal, which is append-only and balanced; the log is witnessed."),
        "tip": _("Record spending on the platform rather than outside it: each expenditure becomes a logged fact."),
    },
    "execution": {
        "name": _("Execution"),
        "formula": _(
            "The mean of two shares: projects completed with a final report, among those completed or executing "
            "for more than %(days)d days; and delivery batches (by cost) that kept every step within its deadline."
        ) % {"days": 180},
        "gaming": _("Batches are weighed by cost, so many small punctual batches do not hide a large late one."),
        "tip": _("Purchase, ship, deliver and disclose each batch within its deadline, and close projects with a final report."),
    },
    "programme_ratio": {
        "name": _("Money put to work"),
        "formula": _(
            "Of the money received by projects past fundraising (gifts net of refunds, plus matches), the share "
            "spent on their budget lines, from the journal. %(full)d%% or more scores 100; %(zero)d%% or less, 0."
        ) % {"full": int(rules.RATIO_FULL * 100), "zero": int(rules.RATIO_ZERO * 100)},
        "gaming": _(
            "Spending is read from balanced journal entries against budget lines with vouchers; moving money "
            "between projects is not spending."
        ),
        "tip": _("Spend what was raised on what the budget promised, and record it."),
    },
    "responsiveness": {
        "name": _("Responsiveness"),
        "formula": _(
            "The median number of hours the organisation took to answer reports about it (and, where those apps "
            "contribute them, to act on sightings and lost-contact cases). A report left unanswered counts until "
            "it is decided, or until now. %(full)d hours or less scores 100; %(zero)d days or more, 0."
        ) % {"full": rules.ANSWER_HOURS_FULL, "zero": rules.ANSWER_HOURS_ZERO // 24},
        "gaming": _("An unanswered report keeps counting: ignoring reports only makes the median longer."),
        "tip": _("Answer every report about your organisation within two days."),
    },
    "donor_feedback": {
        "name": _("Donor feedback after delivery"),
        "formula": _(
            "Donors whose gift paid for help that was delivered answer one question: did the help arrive as "
            "promised (1 to 5)? The mean is pulled towards %(prior)s as if %(weight)d more donors had answered "
            "so, then 1 star is 0 and 5 stars are 100."
        ) % {"prior": rules.FEEDBACK_PRIOR_MEAN, "weight": rules.FEEDBACK_PRIOR_WEIGHT},
        "gaming": _("Only a paid gift can answer, once; a handful of answers moves the score only a little."),
        "tip": _("Deliver as promised and disclose it: donors are asked once the help has arrived."),
    },
    "upheld_reports": {
        "name": _("Upheld reports"),
        "formula": _(
            "100 minus %(penalty)d points for each report about the organisation or its projects that platform "
            "staff upheld in the last two years (not below 0). While such a report stands, the whole score is "
            "capped at %(cap)d (grade C), whatever the other indicators say."
        ) % {"penalty": rules.UPHELD_PENALTY, "cap": rules.UPHELD_CAP},
        "gaming": _("Reports are decided by staff, never by their number: a flood of reports changes nothing until one is upheld."),
        "tip": _("Answer reports with evidence; an upheld report stays in the rating for two years."),
    },
    "verification": {
        "name": _("Verification and qualification"),
        "formula": _(
            "50 points when the organisation is verified, 20 for a public fundraising qualification, and 30 "
            "shared among the five verification steps that staff approved."
        ),
        "gaming": _("Each step is approved by staff from its proof."),
        "tip": _("Send every verification step with its proof."),
    },
    "record_length": {
        "name": _("Length of record"),
        "formula": _("Days since the organisation's first project was published: 100 at two years or more."),
        "gaming": _("It cannot be hurried."),
        "tip": _("Keep going: a longer record counts."),
    },
}

UNITS = {"days": _("days"), "share": "%", "hours": _("hours"), "stars": _("stars"), "count": "", "points": _("points")}


def explanation(key: str) -> str:
    return str(TEXTS[key]["formula"])


def name(key: str) -> str:
    return str(TEXTS[key]["name"])


def shown_value(item: dict) -> str:
    """An indicator's value in its own unit, for people ("4 days", "97%")."""
    value, unit = item.get("value"), item.get("unit")
    if value is None:
        return "—"
    if unit == "share":
        return f"{value * 100:.0f}%"
    if unit in ("days", "hours"):
        return f"{value:.0f} {UNITS[unit]}"
    if unit == "stars":
        return f"{value:.1f} {UNITS[unit]}"
    return f"{value:.0f}"
