"""The languages Kasane speaks, their gettext catalogues, and :class:`Msg`, a text in all of them.

Source code keeps writing the Japanese and the English side by side (``t(ja, en)`` in
templates, ``Msg(ja, en)`` in Python), because both are the originals. The English text is
the gettext ``msgid``; ``make i18n-extract`` writes the Japanese into ``ja``'s catalogue and
adds every residents' message to the other catalogues for translators
(:mod:`gis.platform.i18n_catalogues`, docs/languages.md). At run time a language other than
Japanese and English is looked up in its compiled catalogue (``.mo``, compiled at setup and,
when missing or older than its ``.po``, at start).

A missing translation falls back to English, then Japanese — except やさしい日本語, which
falls back to Japanese (someone who reads plain Japanese reads Japanese better than English).
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from babel.messages.mofile import read_mo, write_mo
from babel.messages.pofile import read_po

LOCALES_DIR = Path(__file__).with_name("locales")
DOMAIN = "messages"


@dataclass(frozen=True)
class Language:
    """One language: its BCP 47 tag (``lang``/``hreflang``, ``?lang=``), its name in itself,
    the Babel locale that formats its numbers and dates, and the CAP ``<language>`` code."""

    tag: str
    name: str
    babel: str
    cap: str
    residents_only: bool = True  # staff and planner pages stay Japanese and English


LANGUAGES: tuple[Language, ...] = (
    Language("ja", "日本語", "ja_JP", "ja-JP", residents_only=False),
    Language("en", "English", "en", "en-US", residents_only=False),
    Language("ja-x-easy", "やさしい にほんご", "ja_JP", "ja-JP-x-easy"),
    Language("zh-Hans", "简体中文", "zh_Hans_CN", "zh-CN"),
    Language("zh-Hant", "繁體中文", "zh_Hant_TW", "zh-TW"),
    Language("ko", "한국어", "ko_KR", "ko-KR"),
    Language("vi", "Tiếng Việt", "vi_VN", "vi-VN"),
    Language("pt-BR", "Português", "pt_BR", "pt-BR"),
    Language("ne", "नेपाली", "ne_NP", "ne-NP"),
    Language("tl", "Tagalog", "fil_PH", "tl-PH"),
)
BY_TAG: dict[str, Language] = {lang.tag: lang for lang in LANGUAGES}
TAGS: tuple[str, ...] = tuple(BY_TAG)
STAFF_TAGS: tuple[str, ...] = tuple(x.tag for x in LANGUAGES if not x.residents_only)
TRANSLATED: tuple[str, ...] = tuple(t for t in TAGS if t != "en")  # "en" is the msgid itself

# other spellings a browser or a link may use, lower-cased
ALIASES: dict[str, str] = {
    "ja-jp": "ja",
    "easy": "ja-x-easy",
    "ja-easy": "ja-x-easy",
    "zh": "zh-Hans",
    "zh-cn": "zh-Hans",
    "zh-sg": "zh-Hans",
    "zh-hans-cn": "zh-Hans",
    "zh-tw": "zh-Hant",
    "zh-hk": "zh-Hant",
    "zh-mo": "zh-Hant",
    "zh-hant-tw": "zh-Hant",
    "pt": "pt-BR",
    "pt-pt": "pt-BR",
    "fil": "tl",
    "ne-np": "ne",
}


def normalise(tag: str | None) -> str | None:
    """The supported tag ``tag`` names (any case, ``_`` or ``-``, aliases), or None."""
    if not tag:
        return None
    key = tag.strip().replace("_", "-").lower()
    for known in TAGS:
        if known.lower() == key:
            return known
    if key in ALIASES:
        return ALIASES[key]
    primary = key.split("-")[0]
    return ALIASES.get(primary) or next((t for t in TAGS if t.lower() == primary), None)


def fallbacks(tag: str) -> tuple[str, ...]:
    """Where to look, in order, for a text in ``tag``."""
    if tag in ("ja", "ja-x-easy"):
        return (tag, "ja") if tag != "ja" else ("ja",)
    return (tag, "en", "ja") if tag != "en" else ("en", "ja")


def po_path(tag: str) -> Path:
    """The catalogue of ``tag`` (in the repository)."""
    return LOCALES_DIR / tag / "LC_MESSAGES" / f"{DOMAIN}.po"


def compile_catalogue(tag: str) -> Path:
    """Write ``tag``'s ``.mo`` from its ``.po`` (fuzzy and empty entries left out)."""
    po, mo = po_path(tag), po_path(tag).with_suffix(".mo")
    with po.open("rb") as f:
        catalog = read_po(f, locale=BY_TAG[tag].babel)
    partial = mo.with_name(f"{mo.name}.{os.getpid()}.partial")  # workers compile at once
    with partial.open("wb") as f:
        write_mo(f, catalog, use_fuzzy=False)
    partial.replace(mo)
    return mo


_lock = threading.Lock()
_loaded: dict[str, dict[str, str]] = {}


def catalogue(tag: str) -> dict[str, str]:
    """English msgid -> translation in ``tag``; compiled first when the ``.mo`` is missing or
    older than the ``.po``. Empty for a language without a catalogue."""
    found = _loaded.get(tag)
    if found is not None:
        return found
    with _lock:
        po = po_path(tag)
        mo = po.with_suffix(".mo")
        table: dict[str, str] = {}
        if po.exists():
            for message in _messages(tag, po, mo):
                if message.id and isinstance(message.id, str) and message.string:
                    table[message.id] = str(message.string)
        _loaded[tag] = table
        return table


def _messages(tag: str, po: Path, mo: Path) -> Any:
    """The compiled catalogue, compiled first when missing or stale; read from the ``.po``
    itself when the ``.mo`` cannot be written (an installed package in a read-only place)."""
    try:
        if not mo.exists() or mo.stat().st_mtime < po.stat().st_mtime:
            compile_catalogue(tag)
        with mo.open("rb") as f:
            return read_mo(f)
    except OSError:
        with po.open("rb") as f:
            return [m for m in read_po(f, locale=BY_TAG[tag].babel) if not m.fuzzy]


def reload() -> None:
    """Forget loaded catalogues (after ``make i18n-compile`` in a running process, tests)."""
    with _lock:
        _loaded.clear()


def translate(ja: str, en: str, tag: str) -> str:
    """The text ``ja``/``en`` in ``tag``, with the fallbacks of :func:`fallbacks`."""
    for candidate in fallbacks(tag):
        if candidate == "ja":
            return ja
        if candidate == "en":
            return en
        found = catalogue(candidate).get(en)
        if found:
            return found
    return ja


def resolve(ja: str, en: str, tag: str) -> tuple[str, str]:
    """Like :func:`translate`, and also which language the text is really in."""
    for candidate in fallbacks(tag):
        if candidate in ("ja", "en"):
            return (ja if candidate == "ja" else en), candidate
        found = catalogue(candidate).get(en)
        if found:
            return found, candidate
    return ja, "ja"


class Msg(dict[str, str]):
    """A message written in Japanese and English, readable in every language of
    :data:`LANGUAGES`: ``msg["vi"]`` is looked up in the Vietnamese catalogue (English msgid).

    A ``dict`` so the ``{"ja": ..., "en": ...}`` shape older code and JSON clients use keeps
    working; :meth:`every` gives all languages at once (for JSON the browser picks from)."""

    def __init__(self, ja: str, en: str) -> None:
        super().__init__(ja=ja, en=en)

    @property
    def ja(self) -> str:
        """The Japanese original."""
        return dict.__getitem__(self, "ja")

    @property
    def en(self) -> str:
        """The English original (the msgid)."""
        return dict.__getitem__(self, "en")

    def __missing__(self, tag: str) -> str:
        return translate(self.ja, self.en, normalise(tag) or "ja")

    def get(self, tag: str, default: Any = None) -> Any:
        """Always a text: a missing language falls back (``default`` is never needed)."""
        return self[tag]

    def every(self) -> dict[str, str]:
        """The text in every supported language (fallbacks filled in)."""
        return {tag: self[tag] for tag in TAGS}
