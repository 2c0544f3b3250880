"""What the apps above add to a user's account page and `GET /api/v1/me`. A user's
organisations belong to an app above accounts: it fills these in its
`AppConfig.ready()`, and accounts never names it (core.sections)."""

from jusha.core.events import Contributions

me_sections = Contributions("account page sections")
"""provider(user) -> core.sections.Section, a list of them, or None: parts of the account
page (`accounts/me.html`), in slot "organisations" (invitations, memberships)."""

me_fields = Contributions("account API fields")
"""provider(user) -> {field: value}: fields of `GET /api/v1/me` (`schemas.MeOut`) that
other apps own: `organisations`."""
