import pytest

from tests.payments.gateways import Gateway


@pytest.fixture
def gateway():
    gw = Gateway().start()
    yield gw
    gw.stop()


@pytest.fixture
def providers(gateway, settings, tmp_path):
    """Alipay, WeChat Pay and Stripe configured with keys made here, their gateways on
    loopback; the sandbox stays on beside them."""
    from jusha.payments import providers as module

    for name, value in gateway.write_keys(str(tmp_path)).items():
        setattr(settings, name, value)
    settings.JUSHA_PROVIDER_TIMEOUT = "2"
    settings.JUSHA_PUBLIC_URL = "http://testserver"
    module._real.clear()
    yield gateway
    module._real.clear()


@pytest.fixture
def org_finance(org):
    from tests.factories import make_member

    return make_member(org, "finance")


def books(snap: dict) -> dict:
    """A snapshot without the provider events (a second event for one trade is recorded as
    received, and changes nothing else)."""
    return {k: v for k, v in snap.items() if k != "events"}
