"""What higher apps add to a campaign: its pages, API answers and admin show matching
pools and matched figures, but campaigns sit below matching (a pool names its campaign),
so matching fills these in its `AppConfig.ready()`. With nothing registered, a campaign
shows no pools and nothing matched."""

from jusha.core.events import Contributions

sums = Contributions("campaign sums")
"""provider(campaign_ids) -> {campaign id: {"matched": fen, "held": fen}}, in one query:
what the campaigns' pools paid (net of returns) and hold for review. Added up."""

project_sums = Contributions("campaign project sums")
"""provider(campaign) -> {project id: {"matched": fen}}, in one query: what each project
got from the campaign's pools. Added up."""

gift_matches = Contributions("campaign gift matches")
"""provider(donations) -> {donation id: fen}, in at most one query: the match shown beside
a recent gift (only gifts whose match was paid or released)."""

pools = Contributions("campaign pools")
"""provider(campaign, *, figures: bool) -> [pool]: the pools shown on the campaign; with
`figures`, each carries `figures`, `bar` (percent used) and `seed_revealed` for the pages."""

window_problems = Contributions("campaign window problems")
"""provider(campaign, window) -> [message]: why a saved campaign may not take this new
window (rules.Window), e.g. it no longer contains its pools' published windows."""
