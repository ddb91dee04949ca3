"""Extract, check and compile the gettext catalogues (``make i18n-extract``, ``make i18n-compile``).

Messages are the calls ``t(ja, en)`` in templates and ``t``/``_t``/``Msg(ja, en)`` in Python
with two string literals. The English text is the msgid. Extraction

* writes every message into ``ja``'s catalogue with the Japanese argument as its translation
  (so the Japanese never has to be typed twice);
* adds every message of the residents' pages (:data:`RESIDENT_SOURCES`) to the catalogue of
  each other language, keeping translations already there, leaving new ones empty for a
  translator, with the Japanese original as a comment, and drops messages no longer used.

:func:`problems` is what the catalogue test asserts empty: an untranslated residents' message,
a stale or missing Japanese entry, or a catalogue without its review state.

Run ``python -m kasane.catalogues extract|compile|check``.
"""

from __future__ import annotations

import fnmatch
import io
import sys
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from babel.messages.catalog import Catalog
from babel.messages.extract import extract_python
from babel.messages.pofile import read_po, write_po
from jinja2.ext import babel_extract

from gis.platform.languages import BY_TAG, TRANSLATED, compile_catalogue, po_path

ROOT = Path(__file__).resolve().parent.parent
PY_SOURCES = ("webmap/**/*.py", "gis/**/*.py", "kasane/**/*.py", "etl/**/*.py")
HTML_SOURCES = ("webmap/templates/**/*.html",)
KEYWORDS = ("t", "_t", "Msg")
# what residents read: these files' messages need every language (docs/languages.md)
RESIDENT_SOURCES = (
    "webmap/templates/base.html",
    "webmap/templates/pages/error.html",
    "webmap/templates/residents/*",
    "webmap/residents/*",
    "webmap/templates/pages/map.html",
    "webmap/integrated_map*.py",
    "webmap/search_words.py",
    "webmap/stale.py",
    "gis/residents/*",
)
REVIEW_MARK = "Review state:"


@dataclass
class Message:
    """One English msgid, its Japanese, and where it is used."""

    en: str
    ja: str
    places: list[tuple[str, int]] = field(default_factory=list)
    resident: bool = False
    other_ja: set[str] = field(default_factory=set)


def _is_resident(path: str) -> bool:
    return any(fnmatch.fnmatch(path, pattern) for pattern in RESIDENT_SOURCES)


def _pairs(path: Path) -> list[tuple[int, str, str]]:
    """(line, ja, en) of every two-literal message call in ``path``."""
    found: list[tuple[int, str, str]] = []
    with path.open("rb") as f:
        calls: Iterable[tuple[Any, ...]]
        if path.suffix == ".html":
            calls = babel_extract(f, KEYWORDS, [], {"trimmed": "false"})
        else:
            calls = extract_python(f, {k: None for k in KEYWORDS}, [], {})
        for line, _func, args, *_rest in calls:
            if isinstance(args, tuple) and args and args[-1] is None:  # a trailing comma
                args = args[:-1]
            if isinstance(args, tuple) and len(args) == 2 and all(isinstance(a, str) for a in args):
                found.append((line, str(args[0]), str(args[1])))
    return found


def extract(root: Path = ROOT) -> dict[str, Message]:
    """Every message of the sources under ``root``, by English msgid."""
    messages: dict[str, Message] = {}
    files = sorted({p for pattern in (*PY_SOURCES, *HTML_SOURCES) for p in root.glob(pattern)})
    for path in files:
        rel = path.relative_to(root).as_posix()
        for line, ja, en in _pairs(path):
            message = messages.setdefault(en, Message(en, ja))
            if ja != message.ja:
                message.other_ja.add(ja)
            message.places.append((rel, line))
            message.resident = message.resident or _is_resident(rel)
    return messages


def _read(tag: str) -> Catalog | None:
    path = po_path(tag)
    if not path.exists():
        return None
    with path.open("rb") as f:
        return read_po(f, locale=BY_TAG[tag].babel)


def _review_state(old: Catalog | None, tag: str) -> str:
    if old is not None and old.header_comment and REVIEW_MARK in old.header_comment:
        return old.header_comment
    state = "generated from the Japanese in the source" if tag == "ja" else "not yet translated"
    return f"# {BY_TAG[tag].name} ({tag}) catalogue of Kasane.\n# {REVIEW_MARK} {state}."


def _catalogue(tag: str, messages: dict[str, Message]) -> Catalog:
    old = _read(tag)
    new = Catalog(
        locale=BY_TAG[tag].babel,
        domain="messages",
        project="Kasane",
        header_comment=_review_state(old, tag),
        fuzzy=False,
    )
    for en, message in sorted(messages.items()):
        if tag != "ja" and not message.resident:
            continue
        kept = old.get(en) if old is not None else None
        string = message.ja if tag == "ja" else (kept.string if kept is not None else "")
        comments = [f"ja: {message.ja}"] if tag != "ja" else []
        if message.other_ja:
            comments.append("also written in Japanese as: " + " / ".join(sorted(message.other_ja)))
        new.add(en, string, locations=message.places[:3], auto_comments=comments)
    return new


def write_all(root: Path = ROOT) -> list[Path]:
    """``make i18n-extract``: rewrite every catalogue from the sources."""
    messages = extract(root)
    written = []
    for tag in TRANSLATED:
        path = po_path(tag)
        path.parent.mkdir(parents=True, exist_ok=True)
        buffer = io.BytesIO()
        write_po(buffer, _catalogue(tag, messages), width=100, omit_header=False)
        path.write_bytes(buffer.getvalue())
        written.append(path)
    return written


def problems(root: Path = ROOT) -> list[str]:
    """What is wrong with the catalogues against the sources under ``root`` (empty: all good)."""
    messages = extract(root)
    found: list[str] = []
    for tag in TRANSLATED:
        catalogue = _read(tag)
        if catalogue is None:
            found.append(f"{po_path(tag)}: missing; run make i18n-extract")
            continue
        if not catalogue.header_comment or REVIEW_MARK not in catalogue.header_comment:
            found.append(f"{po_path(tag)}: the header does not say its {REVIEW_MARK!r}")
        for en, message in sorted(messages.items()):
            if tag != "ja" and not message.resident:
                continue
            where = "{}:{}".format(*message.places[0])
            entry = catalogue.get(en)
            if entry is None:
                found.append(f"{tag}: {en!r} ({where}) is not in the catalogue; make i18n-extract")
            elif not entry.string or entry.fuzzy:
                found.append(f"{tag}: {en!r} ({where}) has no translation")
            elif tag == "ja" and entry.string != message.ja:
                found.append(f"ja: {en!r} ({where}) is stale; make i18n-extract")
        for entry in catalogue:
            if entry.id and entry.id not in messages:
                found.append(f"{tag}: {entry.id!r} is no longer used; make i18n-extract")
    return found


def main(argv: list[str]) -> int:
    """``extract`` | ``compile`` | ``check``."""
    command = argv[0] if argv else "check"
    if command == "extract":
        for path in write_all():
            print(f"wrote {path.relative_to(ROOT)}")
        return 0
    if command == "compile":
        for tag in TRANSLATED:
            if po_path(tag).exists():
                print(f"compiled {compile_catalogue(tag).relative_to(ROOT)}")
        return 0
    if command == "check":
        found = problems()
        for line in found:
            print(line)
        return 1 if found else 0
    print("usage: python -m kasane.catalogues extract|compile|check", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
