"""Query-parameter numbers: defaults, ranges and clear errors naming the parameter."""

from __future__ import annotations

import pytest

from gis.platform.errors import BadRequest
from gis.platform.params import parse_float, parse_int


def test_defaults_for_absent_or_blank() -> None:
    assert parse_int(None, "n", default=5) == 5
    assert parse_int("  ", "n", default=5) == 5
    assert parse_float("", "r", default=300.0) == 300.0


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("x", "n must be a whole number, not 'x'"),
        ("1.5", "n must be a whole number, not '1.5'"),
        ("٣", "n must be a whole number, not '٣'"),  # Arabic-Indic three: int() would take it
        ("0", "n must be between 1 and 50, not 0"),
        ("51", "n must be between 1 and 50, not 51"),
    ],
)
def test_int_errors_name_the_parameter(raw: str, message: str) -> None:
    with pytest.raises(BadRequest) as caught:
        parse_int(raw, "n", default=5, minimum=1, maximum=50)
    assert str(caught.value) == message


def test_one_sided_ranges() -> None:
    assert parse_int("0", "k", default=1, minimum=0) == 0
    with pytest.raises(BadRequest, match="k must be at least 0, not -1"):
        parse_int("-1", "k", default=1, minimum=0)
    with pytest.raises(BadRequest, match="k must be at most 9, not 10"):
        parse_int("10", "k", default=1, maximum=9)


@pytest.mark.parametrize("raw", ["nan", "inf", "-inf"])
def test_floats_must_be_finite(raw: str) -> None:
    with pytest.raises(BadRequest, match="must be a finite number"):
        parse_float(raw, "radius", default=300.0, minimum=1, maximum=5000, unit=" m")


def test_float_range_carries_the_unit() -> None:
    assert parse_float(" 250.5 ", "radius", default=300.0, minimum=1, maximum=5000) == 250.5
    with pytest.raises(BadRequest, match="radius must be between 1 and 5000 m, not 6000"):
        parse_float("6000", "radius", default=300.0, minimum=1, maximum=5000, unit=" m")
