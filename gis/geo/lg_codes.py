"""全国地方公共団体コード (JIS X 0401/0402): 5-digit codes and the 6th check digit.

Layout: prefecture (2 digits) + municipality (3) + check digit. With digits d1..d5,
S = 6·d1 + 5·d2 + 4·d3 + 3·d4 + 2·d5 and the check digit is the last digit of 11 − (S mod 11).
N03 and e-Stat use the 5-digit form; L-Alert and Kasane store 6 digits.
"""

from __future__ import annotations

import re

WEIGHTS = (6, 5, 4, 3, 2)
_DIGITS5 = re.compile(r"^\d{5}$")
_DIGITS6 = re.compile(r"^\d{6}$")


def check_digit(code5: str) -> str:
    """The check digit of a 5-digit code: ``check_digit('33100') == '7'``."""
    if not _DIGITS5.match(code5):
        raise ValueError(f"{code5!r} is not a 5-digit local-government code")
    total = sum(int(d) * w for d, w in zip(code5, WEIGHTS, strict=True))
    return str((11 - total % 11) % 10)


def is_valid_lg_code(code6: str) -> bool:
    """True for a 6-digit code whose last digit is its check digit."""
    return bool(_DIGITS6.match(code6)) and check_digit(code6[:5]) == code6[5]


def normalize_lg_code(raw: object) -> str:
    """Any written form (5 or 6 digits, int, with spaces or full-width digits) -> 6 digits.

    Raises ValueError, saying why, for a wrong check digit or a malformed value.
    """
    text = str(raw).strip().translate(_FULLWIDTH_DIGITS)
    if text.endswith(".0"):  # spreadsheets turn codes into floats
        text = text[:-2]
    if _DIGITS5.match(text):
        return text + check_digit(text)
    if _DIGITS6.match(text):
        if not is_valid_lg_code(text):
            raise ValueError(
                f"{text!r} has check digit {text[5]}, expected {check_digit(text[:5])}"
            )
        return text
    raise ValueError(f"{raw!r} is not a 5- or 6-digit local-government code")


def prefecture_code(code6: str) -> str:
    """The prefecture's own 6-digit code (``352080`` -> ``350001``)."""
    pref5 = code6[:2] + "000"
    return pref5 + check_digit(pref5)


def is_prefecture(code6: str) -> bool:
    """True when the code names a prefecture rather than a municipality."""
    return code6[2:5] == "000"


_FULLWIDTH_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")
