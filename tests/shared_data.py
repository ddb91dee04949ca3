"""Locate the real public data in ../shared/data (and outside programs) for tests that need it.

The data is not part of the repository, so by default a test that needs a missing file (or
program, such as GDAL's ``ogrinfo``) is skipped, with the path in the reason. CI sets
``KASANE_REQUIRE_SHARED=1`` so that anything missing fails the test instead of quietly lowering
coverage. ``KASANE_SHARED_DIR`` points at another
``shared`` directory (the one that holds ``data/``).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import NoReturn

import pytest

DEFAULT_SHARED_DIR = Path(__file__).resolve().parents[1].parent / "shared"


def shared_dir() -> Path:
    """The ``shared`` directory: ``$KASANE_SHARED_DIR`` or the repository's sibling ``shared``."""
    override = os.environ.get("KASANE_SHARED_DIR")
    return Path(override).expanduser() if override else DEFAULT_SHARED_DIR


def shared_path(*parts: str) -> Path:
    """``shared/data/<parts>`` if it exists; otherwise skip the test (or fail it when required)."""
    path = shared_dir().joinpath("data", *parts)
    if path.exists():
        return path
    missing(
        f"shared data not found: {path}", "set KASANE_SHARED_DIR to the directory holding data/"
    )
    raise AssertionError("unreachable")


def shared_program(name: str, package: str) -> str:
    """The path of program ``name``; otherwise skip the test (or fail it when required)."""
    found = shutil.which(name)
    if found:
        return found
    missing(
        f"program {name} not found", f"install the Debian package {package}; make test does as root"
    )
    raise AssertionError("unreachable")


def missing(message: str, hint: str) -> NoReturn:
    """Skip the test saying what is missing and how to get it; fail it under CI's
    ``KASANE_REQUIRE_SHARED=1``."""
    if os.environ.get("KASANE_REQUIRE_SHARED") == "1":
        pytest.fail(f"{message} (KASANE_REQUIRE_SHARED=1 makes this an error)")
    pytest.skip(f"{message} ({hint})")
