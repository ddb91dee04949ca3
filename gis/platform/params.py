"""Numbers from query parameters, checked once: a clear BadRequest names the parameter,
the value and the allowed range. Only ASCII digits count (``int()`` would take "٣")."""

from __future__ import annotations

import math
import re

from gis.platform.errors import BadRequest

_INTEGER = re.compile(r"[+-]?[0-9]{1,9}")


def _blank(raw: str | None) -> bool:
    return raw is None or not raw.strip()


def _in_range(name: str, value: float, low: float | None, high: float | None, unit: str) -> None:
    if low is not None and high is not None and not low <= value <= high:
        raise BadRequest(f"{name} must be between {low:g} and {high:g}{unit}, not {value:g}")
    if low is not None and value < low:
        raise BadRequest(f"{name} must be at least {low:g}{unit}, not {value:g}")
    if high is not None and value > high:
        raise BadRequest(f"{name} must be at most {high:g}{unit}, not {value:g}")


def parse_int(
    raw: str | None,
    name: str,
    *,
    default: int,
    minimum: int | None = None,
    maximum: int | None = None,
) -> int:
    """A whole number within [minimum, maximum]; ``default`` when absent or blank."""
    if raw is None or _blank(raw):
        return default
    if not _INTEGER.fullmatch(raw.strip()):
        raise BadRequest(f"{name} must be a whole number, not {raw!r}")
    value = int(raw)
    _in_range(name, value, minimum, maximum, "")
    return value


def parse_float(
    raw: str | None,
    name: str,
    *,
    default: float,
    minimum: float | None = None,
    maximum: float | None = None,
    unit: str = "",
) -> float:
    """A finite number within [minimum, maximum]; ``default`` when absent or blank."""
    if raw is None or _blank(raw):
        return default
    try:
        value = float(raw)
    except ValueError:
        raise BadRequest(f"{name} must be a number{unit and ' of' + unit}, not {raw!r}") from None
    if not math.isfinite(value):
        raise BadRequest(f"{name} must be a finite number, not {raw!r}")
    _in_range(name, value, minimum, maximum, unit)
    return value
