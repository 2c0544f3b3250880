"""What the apps above giving add to a gift's pages. A gift's match, the batches it paid for
and the relay it can light belong to matching, fulfilment and social: they fill these in
their `AppConfig.ready()` (core.sections), and giving never names them."""

from jusha.core.events import Contributions

receipt_sections = Contributions("gift receipt sections")
"""provider(donation) -> core.sections.Section, a list of them, or None: parts of the receipt
(`giving/receipt.html`), in these slots: "figures" (inside the receipt's list of facts),
"impact" (where the money went), "invite" (what the donor can do next). The template runs
with the page's context (`donation`, `private`, ...) plus the section's own."""

mine_sections = Contributions("my gifts sections")
"""provider(donations) -> Section(s) for the member's "my gifts" page, slot "impact"
(`donations`: the gifts on the page shown)."""

pause_offers = Contributions("the pause screen's offers")
"""provider(project, amount) -> Section(s) for the pause screen (冷静一下) before a gift, slot
"offer": what a donor could do instead (monthly giving, a cause fund)."""

mine_top_sections = Contributions("my giving: the member's own sections")
"""provider(user) -> Section(s) at the top of the member's "my giving" page, slot "top"
(monthly pledges and their one-click buttons), shown whether or not they have gifts."""

gift_context_checks = Contributions("checks of what a gift is opened through")
"""provider(*, project, context) -> None, or raise core.errors.Invalid: a higher app that
reads a key of a gift's `context` (community: `"team"`) refuses a value it does not know,
before the provider is asked and before anything is written."""

donate_offers = Contributions("the donate page's offers")
"""provider(project) -> Section(s) under the donate form, slot "offer": another way to give
to the same project (monthly giving)."""
