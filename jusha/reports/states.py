"""A report's life: staff take it up, then uphold or dismiss it.

    new ──staff──▶ investigating ──staff──▶ upheld
     │                   │
     └──staff──▶ dismissed ◀──staff┘

A report can also be dismissed or upheld straight from `new` when it needs no
investigation (spam; an obvious fraud). The platform itself (SYSTEM) dismisses the
share-link reports that staff reviewed when they reinstate a sharer's links.
"""

from django.utils.translation import gettext_lazy as _

from jusha.core.statemachine import SYSTEM, TransitionTable
from jusha.reports.models import Report

NEW, INVESTIGATING, UPHELD, DISMISSED = "new", "investigating", "upheld", "dismissed"
STAFF = "staff"
OPEN = (NEW, INVESTIGATING)
DECIDED = (UPHELD, DISMISSED)

REPORT = TransitionTable(
    _("report"),
    [
        (NEW, INVESTIGATING, {STAFF}),
        (NEW, UPHELD, {STAFF}),
        (NEW, DISMISSED, {STAFF, SYSTEM}),
        (INVESTIGATING, UPHELD, {STAFF}),
        (INVESTIGATING, DISMISSED, {STAFF, SYSTEM}),
    ],
    labels=Report.Status.choices,
)
