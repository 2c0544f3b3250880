"""What the apps above funds add to a fund's page."""

from jusha.core.events import Contributions

fund_sections = Contributions("cause fund page sections")
"""provider(fund) -> Section(s) for a fund's page, slot "offer" (e.g. monthly giving to the fund)."""
