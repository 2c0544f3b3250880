"""Share link states: suspended by enough reports (the platform), reinstated or blocked by staff."""

from django.utils.translation import gettext_lazy

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.social.models import ShareLink

ACTIVE, SUSPENDED, BLOCKED = ShareLink.State.ACTIVE, ShareLink.State.SUSPENDED, ShareLink.State.BLOCKED

LINK = TransitionTable(
    gettext_lazy("share link"),
    [
        (ACTIVE, SUSPENDED, {SYSTEM}),
        (SUSPENDED, ACTIVE, {"staff"}),
        (ACTIVE, BLOCKED, {"staff"}),
        (SUSPENDED, BLOCKED, {"staff"}),
        (BLOCKED, ACTIVE, {"staff"}),
    ],
    labels=ShareLink.State.choices,
)
