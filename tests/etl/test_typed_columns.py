"""Values become the field's type only when the conversion is certain; others reject the row."""

from __future__ import annotations

import math

import numpy as np
import pytest

from etl.row_rules import typed_column
from gis.layerstore.layerspec import FieldSpec


def _field(kind: str) -> FieldSpec:
    return FieldSpec.model_validate({"name": "f", "type": kind, "title": {"ja": "f", "en": "f"}})


@pytest.mark.parametrize(
    ("kind", "values", "expected", "unfit"),
    [
        ("integer", [1, " 2 ", 3.0, None, math.nan, np.int16(4), True], [1, 2, 3, None, None, 4, 1],
         []),
        ("integer", ["many", 2.5, 2**31, -(2**31)], [None, None, None, -(2**31)], [0, 1, 2]),
        ("bigint", [2**40, "7"], [2**40, 7], []),
        ("real", [1, "2.5", None, math.nan, np.float32(0.5)], [1.0, 2.5, None, None, 0.5], []),
        ("real", ["x"], [None], [0]),
        ("boolean", [True, 0, 1.0, "はい", "TRUE", " no ", None], [True, False, True, None, True,
         False, None], [3]),
        ("text", ["a", 12, 1.5, None, math.nan], ["a", "12", "1.5", None, None], []),
    ],
)  # fmt: skip
def test_conversions(kind: str, values: list[object], expected: list[object], unfit: list[int]):
    out, problems = typed_column(_field(kind), values)
    assert out == expected
    assert all(type(v) is type(e) for v, e in zip(out, expected, strict=True))
    assert [i for i, _ in problems] == unfit
    for i, reason in problems:
        assert reason.startswith(f"f {values[i]!r} is not ")


def test_a_column_already_right_is_passed_through() -> None:
    values = [1, None, 3]
    assert typed_column(_field("integer"), values)[0] is values
