"""The log's signing key and the witness's cosigning key: files outside the repository.

Production creates them with `manage.py log_keygen`; in development (JUSHA_LOG_KEY_AUTOGENERATE,
on with DEBUG) a missing key is created on first use, so `make run` works from a fresh
clone. App servers that must not hold the private key set JUSHA_LOG_VKEY to the public one.
"""

from __future__ import annotations

import os
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured

from jusha.transparency.note import COSIGNATURE, ED25519, Signer, Verifier, parse_skey, parse_vkey


def key_write(path: Path, signer: Signer, *, overwrite: bool = False) -> bool:
    """Write a private key file (mode 0600) atomically; False if one exists already."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.write(signer.skey + "\n")
    try:
        if overwrite:
            os.replace(tmp, path)
            return True
        os.link(tmp, path)  # fails if the key exists: two processes never both win
        return True
    except FileExistsError:
        return False
    finally:
        tmp.unlink(missing_ok=True)


def _load(path: Path, name: str, alg: int, what: str) -> Signer:
    if not path.exists():
        if not settings.JUSHA_LOG_KEY_AUTOGENERATE:
            raise ImproperlyConfigured(f"The {what} key {path} does not exist: run `manage.py log_keygen`.")
        key_write(path, Signer.generate(name, alg))
    signer = parse_skey(path.read_text())
    if signer.name != name or signer.alg != alg:
        raise ImproperlyConfigured(
            f"The {what} key {path} is for {signer.name!r}, not {name!r}: make a new one with `manage.py log_keygen`.")
    return signer


@lru_cache(maxsize=4)
def _cached(path: str, name: str, alg: int, what: str, mtime: float) -> Signer:
    return _load(Path(path), name, alg, what)


def _signer(path: Path, name: str, alg: int, what: str) -> Signer:
    try:
        mtime = path.stat().st_mtime
    except FileNotFoundError:
        return _load(path, name, alg, what)
    return _cached(str(path), name, alg, what, mtime)


def log_signer() -> Signer:
    """Only the sequencer signs."""
    return _signer(Path(settings.JUSHA_LOG_KEY_PATH), settings.JUSHA_LOG_ORIGIN, ED25519, "log signing")


def log_verifier() -> Verifier:
    if settings.JUSHA_LOG_VKEY:
        verifier = parse_vkey(settings.JUSHA_LOG_VKEY)
        if verifier.name != settings.JUSHA_LOG_ORIGIN:
            raise ImproperlyConfigured("JUSHA_LOG_VKEY names another origin than JUSHA_LOG_ORIGIN.")
        return verifier
    return log_signer().verifier


def witness_signer() -> Signer:
    return _signer(Path(settings.JUSHA_WITNESS_KEY_PATH), settings.JUSHA_WITNESS_NAME, COSIGNATURE, "witness cosigning")
