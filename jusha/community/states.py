"""What members write (team pages, updates, circle posts, comments) is hidden pending review
when reported (the platform, on a report) and restored or removed by staff; a gathering is
cancelled by its circle's organisers or staff."""

from django.utils.translation import gettext_lazy

from jusha.community.models import Gathering, Visibility
from jusha.core.statemachine import SYSTEM, TransitionTable

VISIBLE, HIDDEN, REMOVED = Visibility.VISIBLE, Visibility.HIDDEN, Visibility.REMOVED

CONTENT = TransitionTable(
    gettext_lazy("member's content"),
    [
        (VISIBLE, HIDDEN, {SYSTEM, "staff"}),  # reported: hidden until staff look
        (HIDDEN, VISIBLE, {"staff"}),  # the report did not hold
        (HIDDEN, REMOVED, {"staff"}),
        (VISIBLE, REMOVED, {"staff"}),
        (REMOVED, VISIBLE, {"staff"}),  # a removal undone on appeal
    ],
    labels=Visibility.choices,
)

GATHERING = TransitionTable(
    gettext_lazy("gathering"),
    [(Gathering.State.OPEN, Gathering.State.CANCELLED, {"organiser", "staff"})],
    labels=Gathering.State.choices,
)
