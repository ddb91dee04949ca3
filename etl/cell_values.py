"""Cell values as municipalities write them: flags, counts with notes, codes, numbers."""

from __future__ import annotations

import re
import unicodedata

from gis.geo.lg_codes import normalize_lg_code

TRUE_MARKS = ("1", "〇", "○", "◯", "●", "◎", "有", "可", "true", "yes", "y", "t", "✓", "✔")
FALSE_MARKS = ("", "0", "×", "✕", "✖", "x", "-", "－", "無", "不可", "false", "no", "n", "f")


def clean(value: object) -> str:
    """Text with NFKC applied (full-width digits, U+3000) and blanks trimmed; None -> ''."""
    if value is None or (isinstance(value, float) and value != value):
        return ""
    return unicodedata.normalize("NFKC", str(value)).strip()


def parse_flag(value: object) -> tuple[bool | None, str | None]:
    """``(flag, note)``: ``'○（２階）'`` -> ``(True, '(2階)')``; unreadable -> ``(None, None)``.

    Marks: 1/〇/○/◯/● (and 有, 可) are true; blank, U+3000, 0, ×, - (and 無) are false. Text after
    a mark is returned as a note.
    """
    raw = str(value) if value is not None else ""
    text = clean(raw)
    low = text.lower()
    if low in FALSE_MARKS:
        return False, None
    if low in TRUE_MARKS:
        return True, None
    for mark in ("〇", "○", "◯", "●", "◎", "1"):
        if text.startswith(mark):
            rest = text[len(mark) :].strip()
            if mark == "1" and rest[:1].isdigit():
                break
            return True, rest or None
    for mark in ("×", "✕"):
        if text.startswith(mark):
            return False, text[len(mark) :].strip() or None
    return None, None


_LEADING_NUMBER = re.compile(r"^(?:約|概ね|およそ)?\s*(\d[\d,]*)")


def parse_count(value: object) -> tuple[int | None, str | None]:
    """``(number, note)``: ``'800(2㎡あたり1人）'`` -> ``(800, '800(2㎡あたり1人）')``.

    A plain integer gives no note; text around a leading number is kept whole as the note;
    text without a number gives ``(None, text)``.
    """
    raw = "" if value is None else str(value).strip()
    text = clean(raw)
    if not text or text in ("-", "－", "―"):
        return None, None
    if re.fullmatch(r"\d[\d,]*(?:\.0+)?", text):
        return int(float(text.replace(",", ""))), None
    match = _LEADING_NUMBER.match(text)
    if match:
        return int(match[1].replace(",", "")), raw
    return None, raw


def parse_int(value: object) -> int | None:
    """An integer from text (``'1,234'``, ``'１２'``, ``'12.0'``); None when empty or not one."""
    text = clean(value).replace(",", "")
    if re.fullmatch(r"[+-]?\d+(?:\.0*)?", text):
        return int(float(text))
    return None


def parse_float(value: object) -> float | None:
    """A number from text; None when empty or not a number."""
    text = clean(value).replace(",", "")
    try:
        return float(text) if text else None
    except ValueError:
        return None


def lg_code_or_none(value: object) -> tuple[str | None, str | None]:
    """``(6-digit code, problem)`` from 5- or 6-digit text; blank gives ``(None, None)``."""
    text = clean(value)
    if not text:
        return None, None
    try:
        return normalize_lg_code(text), None
    except ValueError as err:
        return None, str(err)


def text_or_none(value: object) -> str | None:
    """Trimmed text (NFKC), or None for blank cells."""
    text = clean(value)
    return text or None
