"""What apps above ratings add to an organisation's rating (registered in their
AppConfig.ready(); ratings never names them)."""

from jusha.core.events import Contributions

response_hours = Contributions("rating response times")
"""provider(organisation) -> list of hours: how long the organisation took to act on what
was sent to it in the apps above ratings (sightings, lost-contact cases), one figure per
item; they join the reports' answer times in the responsiveness indicator."""
