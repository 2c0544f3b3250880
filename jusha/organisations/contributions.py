"""What the apps above add to an organisation's pages. An organisation's projects and
delivery batches belong to apps above organisations: they fill these in their
`AppConfig.ready()`, and organisations never names them (core.sections)."""

from jusha.core.events import Contributions

detail_sections = Contributions("organisation page sections")
"""provider(organisation) -> core.sections.Section, a list of them, or None: parts of the
organisation's public page (`organisations/detail.html`), in slot "projects"."""

dashboard_sections = Contributions("organisation dashboard sections")
"""provider(memberships) -> {organisation id: Section or a list of them}, in a constant
number of queries: what waits for the user in each of their organisations
(`organisations/dashboard.html`, slot "work", in the providers' order). `memberships`
are the user's, each with its organisation and role."""

staff_sections = Contributions("staff dashboard sections")
"""provider() -> Section, a list of them, or None: what else waits for platform staff
(`organisations/staff_dashboard.html`, slot "queue")."""
