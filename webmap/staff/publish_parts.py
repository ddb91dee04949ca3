"""The parts of a shared layer on the staff console's publish pages (:mod:`webmap.staff.publish`).

A layer that declares ``parts`` is published a municipality at a time
(:mod:`gis.layerstore.parts`). A municipality's editors and admins see and publish only their
own part; the prefecture's admins choose any municipality of the prefecture. The part is named
in the query (``?part=CODE``) or the form, and checked on every request: a part the user may not
change is the same 404 as an unknown one (:func:`gis.layerstore.part_access.require_publish`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from gis.geo.lg_codes import prefecture_code
from gis.layerstore import parts
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.part_access import may_publish, require_publish
from gis.layerstore.part_status import municipality_names
from gis.layerstore.storage import Conn
from gis.platform.auth import Principal


def may_publish_layer(who: Principal, spec: LayerSpec) -> bool:
    """True when ``who`` may publish ``spec`` (a shared layer: at least one of its parts)."""
    if spec.derived:
        return False
    if spec.parts:
        return may_publish(who, spec, who.org_code) or may_publish(who, spec, None)
    return who.can_edit(spec.owner)


@dataclass(frozen=True)
class PartChoice:
    """The part a page is about, and the parts the user may choose from (code, name)."""

    code: str
    name: str
    choices: list[tuple[str, str]]


def choose_part(conn: Conn, who: Principal, spec: LayerSpec, asked: str | None) -> PartChoice:
    """The part ``asked`` (default: the user's own, else the first they may publish), once
    the user is known to be allowed to publish it (404 otherwise)."""
    names = municipality_names(conn, prefecture_code(spec.owner))
    served = parts.composition(conn, spec.id)
    codes = sorted(set(names) | set(served))
    choices = [(c, names.get(c, "")) for c in codes if may_publish(who, spec, c)]
    if not choices and may_publish(who, spec, who.org_code):
        choices = [(who.org_code, names.get(who.org_code, ""))]
    allowed = [c for c, _ in choices]
    fallback = allowed[0] if allowed else who.org_code
    code = asked or (who.org_code if who.org_code in allowed else fallback)
    require_publish(who, spec, code)
    return PartChoice(code, names.get(code, ""), choices)


def part_versions(conn: Conn, spec: LayerSpec, code: str) -> tuple[list[Any], dict[int, str]]:
    """The versions of one part, newest first, and who published each (for the versions
    table the layer page shows for a layer without parts)."""
    versions = parts.part_history(conn, spec.id, code)
    return list(versions), {v.version: v.loaded_by for v in versions}
