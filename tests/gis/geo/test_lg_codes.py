"""全国地方公共団体コード check digits, against the codes verified in docs §6.2."""

from __future__ import annotations

import pytest

from gis.geo.lg_codes import (
    check_digit,
    is_prefecture,
    is_valid_lg_code,
    normalize_lg_code,
    prefecture_code,
)

VERIFIED = {
    "330001": "岡山県",
    "331007": "岡山市",
    "331015": "岡山市北区",
    "332020": "倉敷市",
    "350001": "山口県",
    "352012": "下関市",
    "352039": "山口市",
    "131016": "千代田区",
    "011002": "札幌市",
}


@pytest.mark.parametrize("code6", sorted(VERIFIED))
def test_verified_codes(code6: str) -> None:
    assert check_digit(code6[:5]) == code6[5]
    assert is_valid_lg_code(code6)
    assert normalize_lg_code(code6[:5]) == code6
    assert normalize_lg_code(code6) == code6


def test_every_wrong_check_digit_is_rejected() -> None:
    for code6 in VERIFIED:
        for digit in "0123456789":
            if digit != code6[5]:
                assert not is_valid_lg_code(code6[:5] + digit)


def test_check_digit_by_hand() -> None:
    # 35343: S = 6*3 + 5*5 + 4*3 + 3*4 + 2*3 = 73; 73 mod 11 = 7; 11 - 7 = 4
    assert check_digit("35343") == "4"
    assert normalize_lg_code("35343") == "353434"


def test_remainders_zero_and_one() -> None:
    """Remainder 0 gives 11 -> digit 1; remainder 1 gives 10 -> digit 0 (docs §6.2)."""
    assert check_digit("00000") == "1"  # S = 0
    assert check_digit("00031") == "1"  # S = 3*3 + 2*1 = 11
    assert check_digit("00040") == "0"  # S = 3*4 = 12


def test_bad_check_digit_message() -> None:
    with pytest.raises(ValueError, match=r"'331008' has check digit 8, expected 7"):
        normalize_lg_code("331008")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("３３１００", "331007"),  # full-width digits
        ("３３１００７", "331007"),
        (" 33100 ", "331007"),
        (33100, "331007"),
        ("33100.0", "331007"),  # a spreadsheet float
        ("01100", "011002"),
    ],
)
def test_written_forms(raw: object, expected: str) -> None:
    assert normalize_lg_code(raw) == expected


@pytest.mark.parametrize("raw", ["3310", "3310077", "33a00", "", "33-100", None])
def test_malformed(raw: object) -> None:
    with pytest.raises(ValueError, match="not a 5- or 6-digit"):
        normalize_lg_code(raw)


def test_check_digit_requires_five_digits() -> None:
    with pytest.raises(ValueError, match="5-digit"):
        check_digit("3310")


def test_prefecture_helpers() -> None:
    assert prefecture_code("352080") == "350001"
    assert prefecture_code("331007") == "330001"
    assert is_prefecture("350001")
    assert not is_prefecture("352039")
