import pytest

from jusha.organisations.uscc import checksum_char, is_valid, normalise

REAL_CODES = ["91350100M000100Y43", "91110000600037341L", "91440300708461136T"]


@pytest.mark.parametrize("code", REAL_CODES)
def test_real_codes_are_valid(code):
    assert is_valid(code)
    assert checksum_char(code[:17]) == code[17]


def test_lower_case_and_spaces_are_normalised():
    assert normalise(" 91350100m000100y43 ") == "91350100M000100Y43"
    assert is_valid("9135 0100 m000 100y43")


@pytest.mark.parametrize("code", REAL_CODES)
def test_wrong_check_character_is_refused(code):
    wrong = "0" if code[17] != "0" else "1"
    assert not is_valid(code[:17] + wrong)


@pytest.mark.parametrize("code", ["", "91350100M000100Y4", "91350100M000100Y433", "9135"])
def test_wrong_length_is_refused(code):
    assert not is_valid(code)


@pytest.mark.parametrize("letter", list("IOSVZ"))
def test_letters_outside_the_charset_are_refused(letter):
    body = "91350100M000100Y4"
    forged = body[:9] + letter + body[10:]
    assert not is_valid(forged + "3")
    with pytest.raises(ValueError):
        checksum_char(forged)
    # and in the check position itself
    assert not is_valid(body + letter)


def test_region_part_must_be_digits():
    body = "9135A100M000100Y4"
    assert not is_valid(body + checksum_char(body))
