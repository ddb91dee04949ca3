"""``POST /api/layers/{id}/versions``: upload files (multipart field ``file``) as a new version.

Only editors and admins of the layer's owning organisation (or the prefecture's admins) may
upload; a layer the caller may not see is a 404 like an unknown one. The upload is written
into a private temporary directory that is removed whatever happens, checked against the
configured limits before anything is unpacked, and loaded by the same pipeline as
``kasane load``. Answers: 201 with the load report and the new version; 200 for a dry run or
files identical to the served ones; 422 with the row-level report when nothing could be
loaded (the served version is untouched).
"""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path
from typing import Any

from flask import Blueprint, Response, current_app, jsonify, request
from werkzeug.datastructures import FileStorage

from gis.layerstore import storage
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.part_access import PARTS_MODES, require_publish
from gis.layerstore.uploads import UploadLimits, UploadLoader, UploadRequest, UploadTooLarge
from gis.platform import audit
from gis.platform.auth import Principal
from gis.platform.errors import BadRequest, KasaneError
from gis.residents.shelters import parse_bool
from webmap import access, context, db
from webmap.auth import require_principal

bp = Blueprint("uploads", __name__, url_prefix="/api/layers")
MAX_FILES = 20
CHUNK = 1 << 16
FORM_OVERHEAD = 1 << 20  # multipart boundaries and small fields on top of the files


class UploadsUnavailable(KasaneError):
    """The server was started without a loader (uploads need ``kasane serve``)."""

    status = 503
    code = "uploads-unavailable"


def safe_name(raw: str | None, n: int) -> str:
    """The client's file name without any directory part; ``upload-N`` when unusable."""
    name = (raw or "").replace("\\", "/").rsplit("/", 1)[-1].strip()
    bad = not name or name in (".", "..") or len(name) > 120
    if bad or any(ord(c) < 32 or c == "\x7f" for c in name):
        return f"upload-{n}"
    return name


def save_upload(upload: FileStorage, folder: Path, n: int, limit: int) -> Path:
    """Stream one uploaded file into the new ``folder``; refused past ``limit`` bytes."""
    folder.mkdir()
    target = folder / safe_name(upload.filename, n)
    written = 0
    with target.open("wb") as out:
        while chunk := upload.stream.read(CHUNK):
            written += len(chunk)
            if written > limit:
                raise UploadTooLarge(f"{target.name}: larger than {limit} bytes")
            out.write(chunk)
    return target


def loader() -> UploadLoader:
    """The loader `kasane serve` handed to the app (503 without one)."""
    found: UploadLoader | None = current_app.extensions.get("kasane.loader")
    if found is None:
        raise UploadsUnavailable("this server cannot load uploads; run it with `kasane serve`")
    return found


def _flag(name: str) -> bool:
    return parse_bool(name, request.args.get(name) or request.form.get(name))


@bp.post("/<layer_id>/versions")
def upload(layer_id: str) -> Any:
    """Load the uploaded files into the layer (``dry_run``, ``force``, ``encoding``, ``crs``)."""
    settings = context.settings()
    limits = UploadLimits.from_settings(settings)
    with db.connection() as conn:
        who = require_principal(conn)
        spec = access.layer(layer_id)
        part, parts_mode = _part_of(spec, who)
        before = storage.current_versions(conn).get(spec.id)
    if (request.content_length or 0) > limits.max_bytes * MAX_FILES + FORM_OVERHEAD:
        raise UploadTooLarge(f"the request is larger than {limits.max_bytes * MAX_FILES} bytes")
    request.max_content_length = limits.max_bytes * MAX_FILES + FORM_OVERHEAD
    uploads = request.files.getlist("file")
    if not uploads or len(uploads) > MAX_FILES:
        raise BadRequest(f"send 1-{MAX_FILES} files as multipart/form-data field 'file'")
    load = loader()
    if settings.upload_dir is not None:
        settings.upload_dir.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix="kasane-upload-", dir=settings.upload_dir))
    try:
        paths = [
            save_upload(u, scratch / f"in{n}", n, limits.max_bytes) for n, u in enumerate(uploads)
        ]
        unpack = scratch / "unpack"
        unpack.mkdir()
        job = UploadRequest(spec, paths, unpack, limits, _flag("dry_run"), _flag("force"),
                            request.values.get("encoding"), request.values.get("crs"),
                            part, parts_mode, who.name)  # fmt: skip
        outcome = load(current_app.extensions["kasane.db_url"], job)
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    if outcome.version is not None:
        with db.connection() as conn:
            after = {"version": outcome.version, "rows": outcome.loaded, "files": outcome.files}
            target = f"layers/{spec.id}" + (f"/parts/{part}" if part else "")
            audit.record(conn, who, "layer.upload", target,
                         before={"version": before}, after=after)  # fmt: skip
        headers = {"Location": f"/collections/{spec.id}"}
        return jsonify(outcome.report), 201, headers
    if job.dry_run or outcome.unchanged:
        return jsonify(outcome.report)
    return _nothing_loaded(outcome.report)


def _part_of(spec: LayerSpec, who: Principal) -> tuple[str | None, str | None]:
    """The part (query ``part``, by default the caller's own organisation's) or parts
    (``parts=present|all``, the prefecture's admins) an upload publishes, once the caller is
    known to be allowed to (404 as for an unknown part otherwise); a layer without parts
    needs the right to edit its owner's data."""
    if not spec.parts:
        who.require_edit(spec.owner)
        return None, None
    parts_mode = request.args.get("parts")
    if parts_mode is not None:
        if parts_mode not in PARTS_MODES:
            raise BadRequest(f"parts must be one of {', '.join(PARTS_MODES)}")
        require_publish(who, spec, None)
        return None, parts_mode
    part = request.args.get("part") or who.org_code
    require_publish(who, spec, part)
    return part, None


def _nothing_loaded(report: dict[str, Any]) -> Response:
    body = {
        "type": "urn:kasane:problem:load-error",
        "title": "load error",
        "status": 422,
        "detail": f"nothing was loaded: {report['outcome']}; the served version is unchanged",
        "report": report,
    }
    response = jsonify(body)
    response.status_code = 422
    response.mimetype = "application/problem+json"
    return response
