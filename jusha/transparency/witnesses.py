"""Which witnesses cosign our log, and which other logs our witness cosigns: those named in
settings (JUSHA_LOG_WITNESSES, JUSHA_WITNESS_LOGS) and those higher apps contribute (the
alliance's partner platforms, configured by staff), without this app knowing them."""

from __future__ import annotations

from django.conf import settings

from jusha.core.events import Contributions

# Providers return [(verifier key, URL prefix), ...]: witnesses to ask to cosign our checkpoints.
extra_witnesses = Contributions("log witnesses")
# Providers return [verifier key, ...]: logs whose checkpoints our witness cosigns.
extra_witnessed_logs = Contributions("witnessed logs")


def log_witnesses() -> list[tuple[str, str]]:
    found = [tuple(item) for item in settings.JUSHA_LOG_WITNESSES]
    for provided in extra_witnesses.collect():
        found += [pair for pair in provided if pair not in found]
    return found


def witnessed_logs() -> list[str]:
    found = list(settings.JUSHA_WITNESS_LOGS)
    for provided in extra_witnessed_logs.collect():
        found += [vkey for vkey in provided if vkey not in found]
    return found
