"""统一社会信用代码 (unified social credit code, GB 32100-2015): format and checksum."""

CHARSET = "0123456789ABCDEFGHJKLMNPQRTUWXY"  # 31 characters: no I, O, S, V, Z
WEIGHTS = [1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28]
_VALUES = {c: i for i, c in enumerate(CHARSET)}


def checksum_char(body17: str) -> str:
    """The 18th character for the first 17."""
    if len(body17) != 17 or any(c not in _VALUES for c in body17):
        raise ValueError("the first 17 characters must come from the code's character set")
    total = sum(_VALUES[c] * w for c, w in zip(body17, WEIGHTS, strict=True))
    return CHARSET[(31 - total % 31) % 31]


def normalise(code: str) -> str:
    return (code or "").strip().upper().replace(" ", "")


def is_valid(code: str) -> bool:
    code = normalise(code)
    if len(code) != 18 or any(c not in _VALUES for c in code):
        return False
    # Digits 3-8 are the registering authority's administrative division code.
    if not code[2:8].isdigit():
        return False
    return checksum_char(code[:17]) == code[17]
