"""What the apps above add to a project's pages and answers. A project's donors, ledger,
matching, delivery batches and sharing belong to apps above projects: they fill these in
their `AppConfig.ready()`, and projects never names them."""

from collections.abc import Callable
from dataclasses import dataclass

from jusha.core.events import Contributions

detail_sections = Contributions("project page sections")
"""provider(project) -> core.sections.Section, a list of them, or None: parts of the
project page (`projects/detail.html`), in the order of the providers, in these slots:
"head" (meta tags), "figures" (beside the progress), "accounts" (after the story:
delivery, budget and spending, ledger, donors). `project` carries its card figures
(`selectors.project_cards`) and `viewer_roles`. The template runs with the page's context
plus the section's own."""

api_detail_fields = Contributions("project API detail fields")
"""provider(project) -> {field: value}: fields of `GET /api/v1/projects/{slug}`
(`schemas.ProjectDetailOut`) that other apps own, such as the budget lines' spending."""

card_figures = Contributions("project card figures")
"""provider(project_ids) -> {attribute: {project id: value}}, in one query for any number
of projects: figures attached to each project by `selectors.project_cards` (the number of
donors). For "badges", each provider's values (a list of `CardBadge` per project) are
added to the card's `badges` list instead of replacing it: every app may put a badge on a
card."""


@dataclass(frozen=True)
class CardBadge:
    """A small label on a project card (such as its organisation's grade) and where it leads."""

    label: str
    title: str
    url: str
    css: str = ""


@dataclass(frozen=True)
class ListOption:
    """A filter or an order that an app above adds to the project list page: a select named
    `name` with `choices` ([(value, label)], the first one meaning "no filter" or "the usual
    order"); `apply(queryset, value)` returns the filtered or ordered queryset."""

    name: str
    label: str
    choices: list
    apply: Callable


list_options = Contributions("project list options")
"""provider() -> ListOption or a list of them: filters and orders of the project list page
(`projects:list`), in the providers' order after the list's own filters."""
