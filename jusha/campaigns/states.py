"""A project's application to a campaign: who may move it, from where to where."""

from django.utils.translation import gettext_lazy

from jusha.campaigns.models import Application
from jusha.core.statemachine import TransitionTable

APPLIED, ACCEPTED, REJECTED, WITHDRAWN = "applied", "accepted", "rejected", "withdrawn"
OWNER, EDITOR, STAFF = "owner", "editor", "staff"
MEMBERS = {OWNER, EDITOR}

APPLICATION = TransitionTable(
    gettext_lazy("campaign application"),
    [
        (APPLIED, ACCEPTED, {STAFF}),
        (APPLIED, REJECTED, {STAFF}),
        (ACCEPTED, REJECTED, {STAFF}),  # removed from the campaign, with a reason
        (APPLIED, WITHDRAWN, MEMBERS),
        (WITHDRAWN, APPLIED, MEMBERS),  # apply again
        (REJECTED, APPLIED, MEMBERS),
    ],
    labels=Application.Status.choices,
)

REASON_REQUIRED = {(APPLIED, REJECTED), (ACCEPTED, REJECTED)}
