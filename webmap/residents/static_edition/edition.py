"""``kasane export static DIR``: build the whole edition in a new folder, then point ``DIR`` (a
symbolic link) at it in one rename, so a reader never sees a half-written edition.

Editions live in ``.{DIR}.editions/{stamp}/`` beside ``DIR``; the previous one is kept (a
visit that began on it can finish) and older ones are removed. A layer whose served version
did not change since the previous edition is not exported again: its files are hard links to
the previous edition's (so a shelter status change re-exports in about a second).
"""

from __future__ import annotations

import json
import os
import shutil
import time
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from flask import Flask

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.layerstore.served_versions import read_state
from gis.layerstore.storage import Conn
from gis.platform.errors import BadRequest
from gis.residents import hazards
from gis.residents.shelter_list import MAP_LIMIT
from gis.residents.shelters import DIRECTIONS
from webmap import stale
from webmap.residents.static_edition import data
from webmap.residents.static_edition.pages import LANGS, Edition, copy_assets, render

KEEP = 2  # editions kept: the current one and the one before
FORMAT = 1  # of the files; an edition of another format is not reused


@dataclass(frozen=True)
class Result:
    """What one export wrote."""

    path: Path  # the edition folder DIR now points at
    layers_exported: list[str]  # layers written anew (the others were linked)
    tiles: int
    area_files: int
    seconds: float


def editions_root(target: Path) -> Path:
    """Where the editions behind ``target`` live."""
    return target.parent / f".{target.name}.editions"


def check_target(target: Path) -> None:
    """:class:`BadRequest` when ``target`` exists but is not an edition link."""
    if target.exists() and not target.is_symlink():
        raise BadRequest(
            f"{target} exists and is not a static edition made by `kasane export static`:"
            " choose another folder or remove it"
        )


def _manifest(folder: Path | None) -> dict[str, Any]:
    try:
        return dict(json.loads((folder / "edition.json").read_text())) if folder else {}
    except (OSError, ValueError):
        return {}


def _source(conn: Conn) -> str:
    """The database exported from (a database made again gets another oid)."""
    row = conn.execute(
        "SELECT datname || ':' || oid::text FROM pg_database WHERE datname = current_database()"
    ).fetchone()
    return str(row[0]) if row else ""


def _link_tree(src: Path, dst: Path) -> None:
    shutil.copytree(src, dst, copy_function=os.link)


def _layers(
    app: Flask, conn: Conn
) -> tuple[dict[str, Any], list[LayerSpec], LayerSpec | None, list[LayerSpec]]:
    """The served versions, the hazard layers and the boundary layer the page uses, and every
    layer the edition shows (for its credits)."""
    from gis.layerstore.access import visible_registry

    registry = visible_registry(app.extensions["kasane.registry"], None)
    state = read_state(conn)
    loaded = {k: v.bbox for k, v in state.items()}
    asked = hazards.layers_asked(registry, loaded)
    hazard_specs = [s for s in asked if s.kind in hazards.HAZARD_OF_KIND]
    admin = next((s for s in asked if s.kind == LayerKind.ADMIN_BOUNDARY), None)
    shelters = [s for s in registry.of_kind(LayerKind.SHELTER) if s.id in state][:1]
    return state, hazard_specs, admin, [*hazard_specs, *shelters, *([admin] if admin else [])]


def _static_config(hazard_specs: list[LayerSpec], admin: LayerSpec | None) -> dict[str, Any]:
    def spec_json(spec: LayerSpec) -> dict[str, Any]:
        return {
            "layer": spec.id,
            "kind": spec.kind.value,
            "hazard": hazards.HAZARD_OF_KIND.get(spec.kind),
            "title": spec.title.model_dump(),
            "property": spec.style.property,
            "classes": [
                {"value": c.value, "color": c.color, "label": c.label.model_dump()}
                for c in spec.style.classes
            ],
        }

    return {
        "shelters": "data/shelters.json",
        "areas": "areas/{layer}/{x}/{y}.json",
        "chunk_zoom": data.CHUNK_ZOOM,
        "hazard_layers": [spec_json(s) for s in hazard_specs],
        "admin_layer": admin.id if admin else None,
        "red_zones": list(hazards.RED_ZONES),
        "directions": [{"ja": d.ja, "en": d.en} for d in DIRECTIONS],
        "marker_limit": MAP_LIMIT,
    }


def build(app: Flask, conn: Conn, target: Path, *, keep: int = KEEP) -> Result:
    """Export the edition and point ``target`` at it (see the module docstring)."""
    started = time.monotonic()
    check_target(target)
    root = editions_root(target)
    root.mkdir(parents=True, exist_ok=True)
    previous = target.resolve() if target.is_symlink() else None
    before = _manifest(previous)
    source = _source(conn)
    if before.get("format") != FORMAT or before.get("source") != source:
        before = {}  # another exporter, or another database (the same version numbers)
    now = datetime.now(UTC)
    stamp = now.strftime("%Y%m%dT%H%M%S.%fZ")
    work = root / f"{stamp}.tmp"
    state, hazard_specs, admin, credited = _layers(app, conn)
    edition = Edition(exported_at=now)
    versions: dict[str, int] = {}
    exported: list[str] = []
    tiles = areas = 0
    tile_specs = [*hazard_specs, *([admin] if admin else [])]
    try:
        for spec in tile_specs:
            served = state[spec.id]
            versions[spec.id] = served.version
            if served.bbox is None:
                continue
            edition.bounds[spec.id] = list(served.bbox)
            edition.tile_zoom[spec.id] = min(spec.max_zoom, data.MAX_TILE_ZOOM)
            old = previous and before.get("layers", {}).get(spec.id) == served.version
            if old and previous and (previous / "tiles" / spec.id).is_dir():
                _link_tree(previous / "tiles" / spec.id, work / "tiles" / spec.id)
                if (previous / "areas" / spec.id).is_dir():
                    _link_tree(previous / "areas" / spec.id, work / "areas" / spec.id)
                continue
            exported.append(spec.id)
            count, _ = data.write_tiles(
                conn, spec, served.version, served.bbox, work / "tiles" / spec.id,
                feature_cap=app.extensions["kasane.settings"].tile_feature_cap,
            )  # fmt: skip
            tiles += count
            areas += data.write_areas(
                conn, spec, served.version, served.bbox, work / "areas" / spec.id
            )
        as_of = stale.iso(now.timestamp())
        data.write_json(work / "data" / "shelters.json", data.shelters_document(conn, as_of))
        if admin is not None and admin.id in state:
            labels = data.basemap_labels(conn, admin, state[admin.id].version)
            data.write_json(
                work / "basemap" / "labels.json",
                {
                    "tiles": f"tiles/{admin.id}/{{z}}/{{x}}/{{y}}.mvt",
                    "layer": admin.id,
                    "max_zoom": edition.tile_zoom.get(admin.id),
                    "bounds": edition.bounds.get(admin.id),
                    "labels": labels,
                },
            )
        edition.static_config = {**_static_config(hazard_specs, admin), "bounds": edition.bounds}
        edition.credits = [
            {"title": s.title.model_dump(), "attribution": s.license.attribution.model_dump()}
            for s in credited
        ]
        pages = []
        for lang in LANGS:
            edition.exported_text = stale.as_of_text(now.timestamp(), lang)
            page = render(app, edition, lang)
            data.write_bytes(work / edition.page_of(lang), page.encode())
            pages.append(page)
        data.write_bytes(work / "index.html", pages[0].encode())
        copy_assets(pages, work)
        data.write_json(
            work / "edition.json",
            {
                "format": FORMAT,
                "source": source,
                "exported_at": now.isoformat(timespec="seconds"),
                "layers": versions,
            },
        )
        final = root / stamp
        os.rename(work, final)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    link = target.parent / f".{target.name}.link-{stamp}"
    os.symlink(os.path.relpath(final, target.parent), link)
    os.replace(link, target)  # the one atomic step readers can see
    _prune(root, keep)
    return Result(final, exported, tiles, areas, time.monotonic() - started)


def _prune(root: Path, keep: int) -> None:
    """Keep the newest ``keep`` editions; remove older ones and any folder an interrupted
    export left (one exporter runs at a time)."""
    done = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.endswith(".tmp"))
    for old in done[:-keep] + [p for p in root.iterdir() if p.name.endswith(".tmp")]:
        shutil.rmtree(old, ignore_errors=True)
