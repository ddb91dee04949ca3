"""Who may publish and roll back which part of a shared layer (:mod:`gis.layerstore.parts`).

A municipality's editors and admins publish and roll back their own part of a shared layer
owned by their prefecture; the prefecture's admins act for any part, and only they may publish
several parts at once. Anyone else is told the part does not exist: the same NotFound (404) as
an unknown part, so no one learns about parts they may not change.
"""

from __future__ import annotations

from gis.geo.lg_codes import is_valid_lg_code, prefecture_code
from gis.layerstore.layerspec import LayerSpec
from gis.platform.auth import Principal, Role
from gis.platform.errors import NotFound

PARTS_MODES = ("present", "all")  # several parts at once: those in the files, or every part


def unknown_part(spec: LayerSpec, code: str) -> NotFound:
    """The error for a part that does not exist or that the caller may not change."""
    return NotFound(f"layer {spec.id!r} has no part {code} that you may change")


def may_publish(who: Principal, spec: LayerSpec, code: str | None) -> bool:
    """True when ``who`` may publish (or roll back) part ``code`` of ``spec``; ``code`` None:
    several parts at once (``--parts present|all``)."""
    if not spec.parts or who.role == Role.VIEWER:
        return False
    prefecture = prefecture_code(spec.owner)
    prefecture_admin = who.role == Role.ADMIN and who.org_code == prefecture
    if code is None:
        return prefecture_admin
    if not is_valid_lg_code(code) or prefecture_code(code) != prefecture:
        return False
    return prefecture_admin or who.org_code == code


def require_publish(who: Principal, spec: LayerSpec, code: str | None) -> None:
    """NotFound (404, as for an unknown part) unless :func:`may_publish` allows it."""
    if not may_publish(who, spec, code):
        raise unknown_part(spec, code or "(several parts)")
