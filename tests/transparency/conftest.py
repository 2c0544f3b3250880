import pytest


@pytest.fixture(autouse=True)
def _log_keys(settings, tmp_path_factory):
    """Each test session signs with its own keys, outside the repository."""
    folder = tmp_path_factory.getbasetemp() / "log-keys"
    settings.JUSHA_LOG_KEY_PATH = folder / "log.key"
    settings.JUSHA_WITNESS_KEY_PATH = folder / "witness.key"
    settings.JUSHA_LOG_KEY_AUTOGENERATE = True
    settings.JUSHA_LOG_ORIGIN = "jusha.test/log"
    settings.JUSHA_WITNESS_NAME = "jusha.test/witness"
