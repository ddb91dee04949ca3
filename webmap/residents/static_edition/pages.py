"""The pages and assets of the static edition: ``/map/hazard`` rendered once per language by
the app itself (the same template and script), with the server's absolute URLs made relative
and the files they name copied beside them."""

from __future__ import annotations

import re
import shutil
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

from flask import Flask, g

from webmap import vendor
from webmap.i18n import LANGUAGES

STATIC_ROOT = Path(__file__).resolve().parents[2] / "static"
LANGS = LANGUAGES  # one page per language: {lang}.html; index.html is the first
_ABSOLUTE = re.compile(r"""(["'(])/(static|vendor|tiles|basemap|areas|data)/""")
_VENDOR_REF = re.compile(r"""vendor/((?:@[^/"'@]+/)?[^/"'@]+)@([^/"']+)/""")


@dataclass
class Edition:
    """What the page needs to know that it is the static edition (read by the templates and
    by :func:`webmap.residents.hazard_map.hazard_map`)."""

    exported_at: datetime
    exported_text: str = ""
    static_config: dict[str, Any] = field(default_factory=dict)
    tile_zoom: dict[str, int] = field(default_factory=dict)  # layer -> deepest exported zoom
    bounds: dict[str, list[float]] = field(default_factory=dict)  # layer -> w, s, e, n
    credits: list[dict[str, dict[str, str]]] = field(default_factory=list)

    def page_of(self, lang: str) -> str:
        """The file name of the page in ``lang``."""
        return f"{lang}.html"

    def adapt(self, config: dict[str, Any]) -> dict[str, Any]:
        """The page's script configuration, pointed at the exported files."""
        for overlay in config["overlays"]:
            layer = overlay["layer"]
            overlay["tiles"] = f"tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt"
            overlay["max_zoom"] = min(overlay["max_zoom"], self.tile_zoom.get(layer, 14))
            overlay["bounds"] = self.bounds.get(layer)
        return {**config, "static": self.static_config}


def relative(html: str) -> str:
    """The page with the server's absolute URLs made relative to the edition's root."""
    return _ABSOLUTE.sub(r"\1\2/", html)


def render(app: Flask, edition: Edition, lang: str) -> str:
    """``/map/hazard`` in ``lang`` as the static edition renders it."""
    with app.test_request_context(f"/map/hazard?lang={lang}"):
        g.static_edition = edition
        response = app.full_dispatch_request()
        if response.status_code != 200:
            raise RuntimeError(f"/map/hazard?lang={lang} answered {response.status_code}")
        return relative(response.get_data(as_text=True))


def copy_assets(pages: list[str], out: Path) -> int:
    """Kasane's own scripts and styles, and every npm package the pages name (its served
    folders), into ``out``; returns the files copied."""
    copied = 0
    shutil.copytree(STATIC_ROOT, out / "static", dirs_exist_ok=True)
    copied += sum(1 for p in (out / "static").rglob("*") if p.is_file())
    packages = {m.group(1) for page in pages for m in _VENDOR_REF.finditer(page)}
    for package in sorted(packages):
        if package not in vendor.ALLOWED:
            raise RuntimeError(f"the page names npm package {package!r}, which is not served")
        root = vendor.NODE_MODULES / package
        target = out / "vendor" / f"{package}@{vendor.package_version(package)}"
        for folder in vendor.ALLOWED[package]:
            for path in (root / folder).rglob("*"):
                if path.is_file() and path.suffix in vendor.SUFFIXES:
                    dest = target / path.relative_to(root)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy2(path, dest)
                    copied += 1
    return copied
