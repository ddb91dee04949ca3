"""Which kept version a rollback serves: one rule for whole layers and for the parts of shared
layers (``storage.rollback`` and ``parts.rollback_part``)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from gis.platform.errors import NotFound


class KeptVersion(Protocol):
    """A row of a version history (a layer's or a part's)."""

    @property
    def version(self) -> int:
        """The version's number."""

    @property
    def available(self) -> bool:
        """Whether its data is still kept (not pruned)."""


def rollback_target(
    versions: Sequence[KeptVersion], current: int, version: int | None, owner: str, of: str
) -> int:
    """The version a rollback serves: ``version``, or the newest kept one before ``current``;
    NotFound naming ``owner`` ("layer 'x'") or ``of`` ("'x'") when there is none to serve.
    One rule for layers and shared layers' parts."""
    if version is None:
        older = [v for v in versions if v.version < current and v.available]
        if not older:
            raise NotFound(f"{owner} has no earlier version to roll back to")
        version = older[0].version
    target = next((v for v in versions if v.version == version), None)
    if target is None:
        raise NotFound(f"{owner} has no version {version}")
    if not target.available:
        raise NotFound(f"version {version} of {of} was pruned and cannot be restored")
    return version
