"""The documentation stays true: every `kasane …` command and every `KASANE_*` setting it names
exists, every setting the code reads is documented, links lead somewhere, and the README fits
on a page."""

from __future__ import annotations

import re
from pathlib import Path

import click
import pytest

from gis.platform.settings import Settings
from kasane.cli import main

ROOT = Path(__file__).resolve().parents[1]
DOCS = sorted([ROOT / "README.md", ROOT / "layers" / "README.md", *(ROOT / "docs").glob("*.md")])
# read by tests, benchmarks and the command line, not settings of a running server
# KASANE_TOKEN is a credential of the command line (the envvar of --token), not a setting.
NOT_SETTINGS = {"KASANE_DEBUG", "KASANE_TIMINGS", "KASANE_TEST_DATABASE_URL",
                "KASANE_REQUIRE_SHARED", "KASANE_SHARED_DIR", "KASANE_FUZZ_EXAMPLES",
                "KASANE_BENCH_DIR", "KASANE_TOKEN"}  # fmt: skip
CODE = re.compile(r"```[^\n]*\n(.*?)```|`([^`\n]+)`", re.S)
COMMAND = re.compile(r"(?:(?<=/bin/)|(?<![\w./-]))kasane((?: [a-z][a-z_-]*)+)")
SETTING = re.compile(r"\bKASANE_[A-Z][A-Z0-9_]*[A-Z0-9]\b")


def _code(path: Path) -> str:
    text = path.read_text(encoding="utf-8")
    return "\n".join(block or span for block, span in CODE.findall(text))


def _resolves(words: list[str]) -> str | None:
    """None when ``kasane <words>`` names a command; else what is wrong."""
    command: click.Command = main
    for word in words:
        if not isinstance(command, click.Group):
            return None  # the rest are arguments
        sub = command.commands.get(word)
        if sub is None:
            return f"no command {word!r} in `kasane {command.name}`" if command is not main \
                else f"no command {word!r}"  # fmt: skip
        command = sub
    return None


def mentioned_commands() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for path in DOCS:
        for match in COMMAND.finditer(_code(path)):
            words = match.group(1).split()
            if words and words[0].startswith("kasane"):  # `sudo -u kasane kasane backup`
                words = words[1:]
            found.setdefault(" ".join(words), []).append(path.name)
    return found


def test_every_documented_command_exists() -> None:
    commands = mentioned_commands()
    assert {"init", "check", "load shelters", "backup", "db reader add gis_analyst"} <= set(
        commands
    )
    wrong = {f"kasane {c} ({', '.join(sorted(set(p)))}): {why}"
             for c, p in commands.items() if (why := _resolves(c.split()))}  # fmt: skip
    assert wrong == set()


def _code_reads() -> set[str]:
    names: set[str] = set()
    folders = ("gis", "etl", "webmap", "kasane", "tests", "bench", "scripts")
    for folder in folders:
        for path in (ROOT / folder).rglob("*"):
            if path.suffix in {".py", ".sh", ".toml"} and path.name != "test_docs.py":
                names |= set(SETTING.findall(path.read_text(encoding="utf-8", errors="replace")))
    return names


def test_every_documented_setting_exists() -> None:
    known = {f"KASANE_{name.upper()}" for name in Settings.model_fields} | NOT_SETTINGS
    wrong = {
        f"{name} ({path.name})"
        for path in DOCS
        for name in SETTING.findall(path.read_text(encoding="utf-8"))
        if name not in known
    }
    assert wrong == set()


def test_every_setting_the_code_reads_is_documented() -> None:
    documented = "\n".join(p.read_text(encoding="utf-8") for p in (ROOT / "docs").glob("*.md"))
    fields = {f"KASANE_{name.upper()}" for name in Settings.model_fields}
    missing = {name for name in fields | _code_reads() if f"`{name}`" not in documented}
    assert missing == set(), "document these in docs/settings.md"
    assert _code_reads() <= fields | NOT_SETTINGS, "a KASANE_* variable outside Settings"


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.name)
def test_relative_links_lead_to_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    targets = re.findall(r"\]\((?!https?:|mailto:|#)([^)#\s]+)", text)
    broken = [t for t in targets if not (path.parent / t).exists()]
    assert broken == []


def test_readme_fits_on_a_page_and_the_japanese_guides_exist() -> None:
    assert len((ROOT / "README.md").read_text(encoding="utf-8").splitlines()) <= 150
    for guide in ("operate.ja.md", "loading.ja.md"):
        text = (ROOT / "docs" / guide).read_text(encoding="utf-8")
        assert len(re.findall(r"[\u3040-\u30ff]", text)) > 500, guide  # kana: written in Japanese
