"""Browser libraries installed by npm (``node_modules/``), served by Kasane under ``/vendor/``.

Only an allow-list of package folders and file types is served; URLs carry the installed
version (``/vendor/leaflet@1.9.4/dist/leaflet.js``), so responses are cached for a year as
immutable. Nothing is ever loaded from a CDN. ``package.json`` lists the packages and
``make setup`` installs them with ``npm ci``.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from flask import Blueprint, Response, abort, send_from_directory

from gis.platform.settings import PROJECT_ROOT

NODE_MODULES = PROJECT_ROOT / "node_modules"
ONE_YEAR_S = 31_536_000

# package -> folders inside it that may be served
ALLOWED: dict[str, tuple[str, ...]] = {
    "leaflet": ("dist/",),
    "leaflet.awesome-markers": ("dist/",),
    "leaflet.vectorgrid": ("dist/",),
    "@fortawesome/fontawesome-free": ("css/", "webfonts/"),
    "@geoman-io/leaflet-geoman-free": ("dist/",),
}
SUFFIXES = {".js", ".css", ".png", ".svg", ".woff", ".woff2", ".ttf", ".map"}

bp = Blueprint("vendor", __name__)


def use(node_modules: Path) -> None:
    """Serve the npm packages of ``node_modules`` (``KASANE_NODE_MODULES``; an installed
    Kasane has no source checkout next to it)."""
    global NODE_MODULES
    if node_modules != NODE_MODULES:
        NODE_MODULES = node_modules
        package_version.cache_clear()


@cache
def package_version(package: str) -> str:
    """The installed version of an npm package (from its package.json)."""
    manifest = NODE_MODULES / package / "package.json"
    try:
        return str(json.loads(manifest.read_text(encoding="utf-8"))["version"])
    except (OSError, ValueError, KeyError) as exc:
        raise RuntimeError(
            f"npm package {package!r} is not installed in {NODE_MODULES}: run `make setup`"
        ) from exc


def vendor_url(package: str, path: str) -> str:
    """The URL under which Kasane serves ``path`` of an installed npm package."""
    if package not in ALLOWED:
        raise KeyError(f"npm package {package!r} is not in webmap.vendor.ALLOWED")
    return f"/vendor/{package}@{package_version(package)}/{path}"


def _split(spec: str) -> tuple[str, str, str]:
    """``'@scope/pkg@1.2/dist/x.js'`` -> ``('@scope/pkg', '1.2', 'dist/x.js')``."""
    scoped = spec.startswith("@")
    head, _, rest = spec[1:].partition("@") if scoped else spec.partition("@")
    version, _, path = rest.partition("/")
    return ("@" + head if scoped else head), version, path


@bp.get("/vendor/<path:spec>")
def asset(spec: str) -> Response:
    """One allow-listed file of an npm package, cached as immutable."""
    package, version, path = _split(spec)
    if ".." in path.split("/") or Path(path).suffix not in SUFFIXES:
        abort(404)
    prefixes = ALLOWED.get(package)
    if prefixes is None or not path.startswith(prefixes) or version != package_version(package):
        abort(404)
    response = send_from_directory(NODE_MODULES / package, path, max_age=ONE_YEAR_S)
    response.headers["Cache-Control"] = f"public, max-age={ONE_YEAR_S}, immutable"
    response.headers["Access-Control-Allow-Origin"] = "*"
    return response
