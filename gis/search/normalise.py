"""One comparable form for addresses and names, from what residents type and what files hold.

Characters are standardised by jageocoder's converter (MIT, works offline: its variant table
ships in the wheel): 旧字体 to 新字体 (澤→沢, 﨑→崎, 邊→辺 and about 700 more), full width to
half width, hiragana to katakana (so 「しものせき」 meets 「シモノセキ」), ケ/ヶ/ガ/が as one
letter, every hyphen-like character (－ − ー ‐ …) as ``-``, and kanji numerals as arabic
(四丁目 → 4丁目).
It runs on both sides of every comparison, so its choices (it also folds a few letters such as
ツ/ッ and ノ/之) never make two different spellings of the same place differ.

What jageocoder does not do and Kasane needs is written here: splitting what follows a town name
into its numbers (丁目/番/番地/号/の and hyphens all separate numbers), and the prefixes 大字/字.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

_SPACES = re.compile(r"\s+")
_NUMBER_MARK = re.compile(r"(\d+)\.")
_PREFIX = re.compile(r"^(?:大字|小字|字)")
# what may follow a number in an address: all of them only separate numbers
_SEPARATORS = re.compile(r"^(?:丁目|番地|番|号|地割|ノ|-)")
_CHOME = re.compile(r"^(.*?)(\d+)丁目$")
_CONVERTER: Any = None


def _converter() -> Any:
    """jageocoder's converter, imported on first use (the package takes ~0.3 s to import)."""
    global _CONVERTER
    if _CONVERTER is None:
        from jageocoder.itaiji import converter

        _CONVERTER = converter
    return _CONVERTER


@lru_cache(maxsize=65536)
def standard(text: str) -> str:
    """``text`` in the comparable form: no spaces, variants folded, numerals arabic."""
    compact = _SPACES.sub("", unicodedata.normalize("NFKC", text))
    if not compact:
        return ""
    folded = str(_converter().standardize(compact))
    return _NUMBER_MARK.sub(r"\1", folded)


def strip_prefix(text: str) -> str:
    """A standardised name without a leading 大字, 小字 or 字 (residents often leave them out)."""
    return _PREFIX.sub("", text)


@dataclass(frozen=True)
class TownName:
    """A standardised town name split into what residents type separately."""

    full: str  # 竹崎町4丁目
    base: str  # 竹崎町
    chome: int | None  # 4


def town_name(name: str) -> TownName:
    """The parts of a town name as the files write it (「大字宮野上」「竹崎町四丁目」)."""
    full = strip_prefix(standard(name))
    found = _CHOME.match(full)
    if found and found.group(1):
        return TownName(full, found.group(1), int(found.group(2)))
    return TownName(full, full, None)


@dataclass(frozen=True)
class Numbers:
    """The numbers after a town name: ``4丁目1番2号`` → (4, 1, 2), the first marked as 丁目."""

    values: tuple[str, ...]
    first_is_chome: bool
    rest: str  # what could not be read as numbers (a building name, a typo)


_TOKEN = re.compile(r"^([^\d\-]{0,1}?\d+)")


def numbers(text: str) -> Numbers:
    """Read ``text`` (standardised, after the town name) as numbers and separators.

    A number may carry one leading letter, as lot numbers do (「甲12」「イ3」).
    """
    values: list[str] = []
    first_is_chome = False
    rest = text
    while rest:
        sep = _SEPARATORS.match(rest)
        if sep:
            if sep.group(0) == "丁目" and len(values) == 1:
                first_is_chome = True
            rest = rest[sep.end() :]
            continue
        token = _TOKEN.match(rest)
        if not token:
            break
        values.append(token.group(1))
        rest = rest[token.end() :]
    return Numbers(tuple(values), first_is_chome, rest)


def block_key(text: str) -> str:
    """A block (街区符号・地番) as it is compared: standardised, without 番/番地/号 and the like."""
    read = numbers(standard(text))
    return read.values[0] if read.values else standard(text)
