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
from jusha.organisations.models import Organisation, VerificationStep

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

# Each verification step (registry record, responsible people, funds, bank account,
# milestones): owners send its details and proof, staff approve it or send it back with a
# note; an approved step sent again with new proof is reviewed again.
STEP = TransitionTable(
    _("verification step"),
    [
        ("missing", "submitted", {"owner"}),
        ("rejected", "submitted", {"owner"}),
        ("approved", "submitted", {"owner"}),
        ("submitted", "approved", {"staff"}),
        ("submitted", "rejected", {"staff"}),
    ],
    labels=VerificationStep.Status.choices,
)
