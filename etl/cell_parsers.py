"""Cell parsers named by a layer file's declared mapping (``source.parse``).

Each parser takes a raw cell and gives ``(value, problem)``: the value (None for a blank cell)
or, when the cell holds something that cannot be read, None and why. Municipal files write
numbers with units (``282人``), flags as marks (``○``, ``1``, ``有``), dates in the Japanese
eras (``令和6年4月1日``, ``R6.4.1``, ``平成31年``) and codes that lose their leading zeros.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Mapping

from etl.cell_values import clean, lg_code_or_none, parse_flag

Parsed = tuple[object, str | None]

# first year of each era (the era's year 1 is this Gregorian year)
ERAS: dict[str, int] = {"明治": 1868, "大正": 1912, "昭和": 1926, "平成": 1989, "令和": 2019}
ERA_LETTERS: dict[str, str] = {"M": "明治", "T": "大正", "S": "昭和", "H": "平成", "R": "令和"}
_ERA_DATE = re.compile(
    r"^(明治|大正|昭和|平成|令和|[MTSHR])\s*(元|\d{1,2})\s*(?:年|[./-])?\s*"
    r"(?:(\d{1,2})\s*(?:月|[./-])?\s*(?:(\d{1,2})\s*日?)?)?$",
    re.IGNORECASE,
)
_WESTERN_DATE = re.compile(
    r"^(\d{4})\s*(?:年|[./-])\s*(\d{1,2})(?:\s*(?:月|[./-])\s*(\d{1,2})\s*日?)?\s*"
    r"(?:[ T]\d{1,2}:\d{2}(?::\d{2})?)?$|^(\d{4})(\d{2})(\d{2})$|^(\d{4})\s*年?$"
)
_NUMBER = re.compile(r"^(?:約|概ね|およそ)?\s*([+-]?\d[\d,]*(?:\.\d+)?)")


def parse_text(value: object) -> Parsed:
    """Trimmed text (NFKC); blank -> None."""
    return clean(value) or None, None


def parse_code(value: object) -> Parsed:
    """A code kept as text, leading zeros and all; ``'352039.0'`` (a spreadsheet's number)
    -> ``'352039'``."""
    text = clean(value)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return text or None, None


def parse_integer(value: object) -> Parsed:
    """A whole number, units and notes after it dropped: ``'282人'`` -> 282, ``'１，２００'``
    -> 1200, ``'約800(2㎡あたり1人）'`` -> 800."""
    text = clean(value)
    if not text or text in ("-", "―", "ー"):
        return None, None
    match = _NUMBER.match(text)
    if not match:
        return None, f"{text!r} is not a number"
    number = float(match[1].replace(",", ""))
    if not number.is_integer():
        return None, f"{text!r} is not a whole number"
    return int(number), None


def parse_number(value: object) -> Parsed:
    """A number, units after it dropped: ``'9.9m'`` -> 9.9."""
    text = clean(value)
    if not text or text in ("-", "―", "ー"):
        return None, None
    match = _NUMBER.match(text)
    if not match:
        return None, f"{text!r} is not a number"
    return float(match[1].replace(",", "")), None


def parse_boolean(value: object) -> Parsed:
    """True for 1/○/〇/✓/有/true…, false for blank/0/×/無/false…; anything else is a problem."""
    text = clean(value)
    if not text:
        return None, None
    if re.fullmatch(r"[01]\.0*", text):
        text = text[0]
    flag, _note = parse_flag(text)
    if flag is None:
        return None, f"{text!r} is not a yes/no mark (1/○/有 or 0/×/無)"
    return flag, None


def parse_date(value: object) -> Parsed:
    """A date from ``2024-04-01``, ``2024/4/1``, ``2024年4月1日``, ``20240401``, ``令和6年4月1日``,
    ``R6.4.1``, ``令和元年5月1日`` or a year alone (``平成31年``, read as 1 January)."""
    if isinstance(value, dt.datetime):
        return value.date(), None
    if isinstance(value, dt.date):
        return value, None
    text = clean(value)
    if not text:
        return None, None
    parts = _date_parts(text)
    if parts is None:
        return None, f"{text!r} is not a date"
    try:
        return dt.date(*parts), None
    except ValueError as err:
        return None, f"{text!r} is not a date ({err})"


def _date_parts(text: str) -> tuple[int, int, int] | None:
    era = _ERA_DATE.match(text)
    if era:
        name = ERA_LETTERS.get(era[1].upper(), era[1])
        year = ERAS[name] + (1 if era[2] == "元" else int(era[2])) - 1
        return year, int(era[3] or 1), int(era[4] or 1)
    western = _WESTERN_DATE.match(text)
    if western:
        groups = [g for g in western.groups() if g is not None]
        year, month, day = (int(g) for g in [*groups, "1", "1"][:3])
        return year, month, day
    return None


def parse_lg_code(value: object) -> Parsed:
    """A 6-digit local-government code with check digit, from 5 or 6 digits."""
    text = clean(value)
    if re.fullmatch(r"\d+\.0+", text):
        text = text.split(".")[0]
    return lg_code_or_none(text)


def enum_parser(mapping: Mapping[str, object]) -> Callable[[object], Parsed]:
    """A parser giving ``mapping[cell]`` (keys compared after NFKC and trimming)."""
    table = {clean(k): v for k, v in mapping.items()}

    def parse(value: object) -> Parsed:
        text = clean(value)
        if not text:
            return None, None
        if text in table:
            return table[text], None
        allowed = ", ".join(table)
        return None, f"{text!r} is not one of the mapped values ({allowed})"

    return parse


PARSERS: dict[str, Callable[[object], Parsed]] = {
    "text": parse_text,
    "code": parse_code,
    "integer": parse_integer,
    "number": parse_number,
    "boolean": parse_boolean,
    "date": parse_date,
    "lg_code": parse_lg_code,
}
