"""Project hygiene: pyproject and environment.yml agree (settings are documented: test_docs)."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _name(requirement: str) -> str:
    return re.split(r"[<>=\[ ;]", requirement.strip(), maxsplit=1)[0].lower()


def test_every_runtime_dependency_is_in_environment_yml() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    conda = (ROOT / "environment.yml").read_text(encoding="utf-8")
    listed = {
        _name(line.strip()[2:]) for line in conda.splitlines() if line.strip().startswith("- ")
    }
    missing = {_name(dep) for dep in project["dependencies"]} - listed
    assert missing == set(), f"add to environment.yml: {sorted(missing)}"


def test_readme_starts_with_the_two_commands() -> None:
    head = (ROOT / "README.md").read_text(encoding="utf-8")[:600]
    assert "make demo" in head and "make test" in head
    assert "make test" in (ROOT / ".ci" / "run").read_text(encoding="utf-8")
