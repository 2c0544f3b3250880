"""The apps above projects add to its pages and answers through explicit, ordered
providers (core.sections); projects names none of them."""

from jusha.projects import contributions as project


def names(contributions) -> list[str]:
    return [f"{p.__module__}.{p.__qualname__}" for p in contributions.providers()]


def test_the_project_page_sections_in_page_order():
    assert names(project.detail_sections) == [
        "jusha.matching.sections.project_page",  # matched, beside the progress
        "jusha.social.sections.project_page",  # sharing card meta tags; pass it on
        "jusha.community.sections.project_page",  # its teams (一起捐), following its organisation
        "jusha.fulfilment.sections.project_page",  # delivery batches, after the story
        "jusha.ratings.sections.project_page",  # the organisation's grade, beside the progress
        "jusha.ledger.sections.project_page",  # budget and spending; latest ledger entries
        "jusha.giving.sections.project_page",  # donors' wall
        "jusha.funds.sections.project_page",  # a cause fund's rule and grants; grants a project received
        "jusha.reports.sections.project_page",  # decided reports, a suspension, the way to report
    ]


def test_the_project_answer_and_cards():
    assert names(project.api_detail_fields) == [
        "jusha.fulfilment.sections.project_detail_fields",
        "jusha.ledger.sections.project_detail_fields",
    ]
    assert names(project.card_figures) == [
        "jusha.giving.selectors.project_card_figures",
        "jusha.ratings.selectors.card_grades",  # the organisation's grade as a card badge
    ]
    assert names(project.list_options) == ["jusha.ratings.selectors.list_options"]

