import pytest

from jusha.payments.signing import SignatureError, sign, verify

SECRET = "whsec_test"
BODY = b'{"id":"evt_1"}'


def test_round_trip():
    header = sign(SECRET, BODY, 1_700_000_000)
    assert verify(SECRET, BODY, header, now=1_700_000_100) == 1_700_000_000


@pytest.mark.parametrize(
    "header,code",
    [
        (None, "signature_missing"),
        ("", "signature_missing"),
        ("garbage", "signature_malformed"),
        ("t=abc,v1=00", "signature_malformed"),
        ("t=1700000000", "signature_malformed"),
        ("v1=" + "0" * 64, "signature_malformed"),
    ],
)
def test_missing_or_malformed_headers_refused(header, code):
    with pytest.raises(SignatureError) as info:
        verify(SECRET, BODY, header, now=1_700_000_000)
    assert info.value.code == code


def test_stale_and_future_timestamps_refused():
    header = sign(SECRET, BODY, 1_700_000_000)
    for now in (1_700_000_301, 1_699_999_699):
        with pytest.raises(SignatureError) as info:
            verify(SECRET, BODY, header, now=now)
        assert info.value.code == "signature_stale"


def test_tampered_body_wrong_secret_refused():
    header = sign(SECRET, BODY, 1_700_000_000)
    for secret, body in ((SECRET, BODY + b" "), ("other", BODY)):
        with pytest.raises(SignatureError) as info:
            verify(secret, body, header, now=1_700_000_000)
        assert info.value.code == "signature_mismatch"


def test_one_matching_signature_among_several_is_enough():
    good = sign(SECRET, BODY, 1_700_000_000).split(",")[1]
    header = f"t=1700000000,v1={'0' * 64},{good}"
    assert verify(SECRET, BODY, header, now=1_700_000_000) == 1_700_000_000
