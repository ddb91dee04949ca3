"""Publish data: pick a layer you may edit, upload files, read the dry run's report and the
difference from the served version, then publish; versions with who and when, and rollback
after a confirmation.

A shared layer (one that declares ``parts``) is published a municipality at a time: the page
is about one part (:mod:`webmap.staff.publish_parts`), whose versions it lists and rolls back.

The files are checked and read by the same loader as ``POST /api/layers/{id}/versions`` and
``kasane load`` (handed to the app by ``kasane serve``). Between the preview and "Publish" they
wait in a private draft folder that only the user who uploaded them can publish; nothing is
served until "Publish", and publishing runs the full load again (all or nothing).
"""

from __future__ import annotations

import json
import secrets
import shutil
import tempfile
import time
from pathlib import Path
from typing import Any

from flask import current_app, redirect, render_template, request, url_for

from gis.layerstore import parts, storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.uploads import UploadLimits, UploadRequest
from gis.platform import audit
from gis.platform.auth import Principal
from gis.platform.errors import BadRequest, KasaneError, NotFound
from webmap import context, db
from webmap.staff.publish_parts import choose_part, may_publish_layer, part_versions
from webmap.staff.session import bp, signed_in
from webmap.uploads import MAX_FILES, loader, save_upload

DRAFT_HOURS = 24
SKETCH = 300  # px of the preview's small map


def sketch(points: list[list[float]]) -> list[tuple[float, float]]:
    """The preview's positions scaled into a SKETCH-px square (north up), for an inline SVG:
    a small map of what will be published that needs no script and no tiles."""
    if not points:
        return []
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    width, height = max(xs) - min(xs), max(ys) - min(ys)
    scale = (SKETCH - 10) / (max(width, height) or 1.0)
    left = (SKETCH - width * scale) / 2  # the shape centred in the square
    bottom = SKETCH - (SKETCH - height * scale) / 2
    return [(left + (x - min(xs)) * scale, bottom - (y - min(ys)) * scale) for x, y in points]


def _editable(who: Principal) -> list[LayerSpec]:
    return [s for s in context.registry() if may_publish_layer(who, s)]


def _layer(who: Principal, layer_id: str) -> LayerSpec:
    """A layer ``who`` may publish; any other is the 404 of an unknown layer."""
    found = next((s for s in _editable(who) if s.id == layer_id), None)
    if found is None:
        raise NotFound(f"no layer {layer_id!r} you may publish")
    return found


def _drafts() -> Path:
    base = context.settings().upload_dir or Path(tempfile.gettempdir())
    folder = base / "kasane-staff-drafts"
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    for old in folder.iterdir():  # forget drafts nobody published
        if old.stat().st_mtime < time.time() - DRAFT_HOURS * 3600:
            shutil.rmtree(old, ignore_errors=True)
    return folder


def _draft(who: Principal, spec: LayerSpec, token: str) -> tuple[Path, dict[str, Any]]:
    folder = _drafts() / token
    if not token.replace("-", "").replace("_", "").isalnum() or not folder.is_dir():
        raise NotFound("this preview has expired; upload the files again")
    meta = json.loads((folder / "meta.json").read_text(encoding="utf-8"))
    if meta["user_id"] != who.user_id or meta["layer"] != spec.id:
        raise NotFound("this preview has expired; upload the files again")
    if spec.parts:
        with db.connection() as conn:
            choose_part(conn, who, spec, meta.get("part"))  # still allowed to publish it
    return folder, meta


def _run(who: Principal, spec: LayerSpec, folder: Path, meta: dict[str, Any], dry_run: bool) -> Any:
    scratch = Path(tempfile.mkdtemp(prefix="unpack-", dir=folder))
    try:
        limits = UploadLimits.from_settings(context.settings())
        files = [folder / name for name in meta["files"]]
        job = UploadRequest(spec, files, scratch, limits, dry_run, False, meta.get("encoding"),
                            meta.get("crs"), meta.get("part"), None, who.name)  # fmt: skip
        return loader()(current_app.extensions["kasane.db_url"], job)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)


@bp.get("/layers")
def layers() -> Any:
    """The layers the signed-in user may publish, with their served version."""
    who = signed_in()
    with db.connection() as conn:
        served = storage.current_versions(conn)
    return render_template("staff/layers.html", who=who, layers=_editable(who), served=served)


@bp.get("/layers/<layer_id>")
def layer(layer_id: str) -> Any:
    """One layer: the upload form and its versions (who, when, rows), with rollback."""
    who = signed_in()
    spec = _layer(who, layer_id)
    part = None
    versions: list[Any]
    with db.connection() as conn:
        if spec.parts:
            part = choose_part(conn, who, spec, request.args.get("part"))
            versions, by = part_versions(conn, spec, part.code)
        else:
            versions = list(storage.history(conn, spec.id))
            by = audit.publishers(conn, spec.id)
    return render_template("staff/layer.html", who=who, spec=spec, versions=versions, by=by,
                           part=part, done=request.args.get("done"))  # fmt: skip


@bp.post("/layers/<layer_id>/preview")
def preview(layer_id: str) -> Any:
    """Keep the uploaded files as a draft and show the dry run's report and difference."""
    who = signed_in()
    spec = _layer(who, layer_id)
    part = None
    if spec.parts:
        with db.connection() as conn:
            part = choose_part(conn, who, spec, request.form.get("part"))
    limits = UploadLimits.from_settings(context.settings())
    uploads = [u for u in request.files.getlist("file") if u.filename]
    if not uploads or len(uploads) > MAX_FILES:
        raise BadRequest(f"choose 1 to {MAX_FILES} files")
    token = secrets.token_urlsafe(16)
    folder = _drafts() / token
    folder.mkdir(mode=0o700)
    status, report, error = 200, None, None
    try:
        saved = [save_upload(u, folder / f"in{n}", n, limits.max_bytes)
                 for n, u in enumerate(uploads)]  # fmt: skip
        meta = {"user_id": who.user_id, "layer": spec.id,
                "files": [str(p.relative_to(folder)) for p in saved],
                "encoding": request.form.get("encoding") or None,
                "crs": request.form.get("crs") or None,
                "part": part.code if part else None}  # fmt: skip
        (folder / "meta.json").write_text(json.dumps(meta), encoding="utf-8")
        report = _run(who, spec, folder, meta, dry_run=True).report
        if not report["rows_loaded"]:
            status = 422
    except KasaneError as exc:
        status, error = exc.status, exc
    if status != 200:
        shutil.rmtree(folder, ignore_errors=True)
    dots = sketch(report["preview"]["points"]) if report else []
    draft = token if status == 200 else None
    page = render_template("staff/preview.html", who=who, spec=spec, report=report, error=error,
                           token=draft, dots=dots, size=SKETCH, part=part)  # fmt: skip
    return page, status


@bp.post("/layers/<layer_id>/publish")
def publish(layer_id: str) -> Any:
    """Publish the previewed draft as the served version (the full load runs now)."""
    who = signed_in()
    spec = _layer(who, layer_id)
    folder, meta = _draft(who, spec, request.form.get("draft", ""))
    code: str | None = meta.get("part")
    with db.connection() as conn:
        if code is None:
            before = storage.current_versions(conn).get(spec.id)
        else:
            before = parts.composition(conn, spec.id).get(code)
    try:
        outcome = _run(who, spec, folder, meta, dry_run=False)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    if outcome.version is None:
        done = "unchanged" if outcome.unchanged else "nothing"
    else:
        with db.connection() as conn:
            after = {"version": outcome.version, "rows": outcome.loaded, "files": outcome.files}
            if code is not None:
                after["part_version"] = parts.composition(conn, spec.id).get(code)
            audit.record(conn, who, "layer.upload", _target(spec, code),
                         before={"version": before}, after=after)  # fmt: skip
        done = f"published:{after.get('part_version', outcome.version)}"
    return redirect(url_for("staff.layer", layer_id=spec.id, done=done, part=code), 303)


def _target(spec: LayerSpec, code: str | None) -> str:
    """What the audit log names: the layer, or the part of a shared layer."""
    return f"layers/{spec.id}" + (f"/parts/{code}" if code else "")


@bp.post("/layers/<layer_id>/rollback")
def rollback(layer_id: str) -> Any:
    """Serve an earlier version again, after a confirmation page."""
    who = signed_in()
    spec = _layer(who, layer_id)
    raw = request.form.get("version", "")
    if not raw.isdigit():
        raise BadRequest("choose a version to roll back to")
    version = int(raw)
    code = None
    with db.connection() as conn:
        if spec.parts:
            code = choose_part(conn, who, spec, request.form.get("part")).code
    if request.form.get("confirm") != "yes":
        return render_template("staff/rollback_confirm.html", who=who, spec=spec, version=version,
                               part=code)  # fmt: skip
    with db.connection() as conn, conn.transaction():
        if code is None:
            before = storage.current_versions(conn).get(spec.id)
            served = storage.rollback(conn, spec.id, version, public=spec.public)
        else:
            before = parts.composition(conn, spec.id).get(code)
            served, _ = parts.rollback_part(conn, spec, code, version, who.name)
        audit.record(conn, who, "layer.rollback", _target(spec, code),
                     before={"version": before}, after={"version": served})  # fmt: skip
    done = f"rolled-back:{served}"
    return redirect(url_for("staff.layer", layer_id=spec.id, done=done, part=code), 303)
