"""An organisation's verification: owners ask, platform staff decide.

    unverified ──owner──▶ submitted ──staff──▶ verified
                              │  ▲
                         staff│  │owner (after correcting the details)
                              ▼  │
                            rejected      (staff give the reason)

A verified organisation stays verified: there is no way back to "submitted".
"""

from django.utils.translation import gettext_lazy as _

from jusha.core.statemachine import TransitionTable
from jusha.organisations.models import Organisation

VERIFICATION = TransitionTable(
    _("verification status"),
    [
        ("unverified", "submitted", {"owner"}),
        ("submitted", "verified", {"staff"}),
        ("submitted", "rejected", {"staff"}),
        ("rejected", "submitted", {"owner"}),
    ],
    labels=Organisation.Verification.choices,
)
