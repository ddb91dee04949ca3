"""Security headers for every response: a Content-Security-Policy whose inline scripts are
allowed only by a per-request nonce (no 'unsafe-inline' script), plus nosniff, a referrer
policy and frame-ancestors.

Templates put ``nonce="{{ csp_nonce }}"`` on their own inline scripts and pass folium's
rendered parts through the ``with_nonce`` filter.
"""

from __future__ import annotations

import re
import secrets
from urllib.parse import urlparse

from flask import Flask, Response, g
from markupsafe import Markup

from gis.platform.settings import Settings

FIXED_HEADERS = (
    ("X-Content-Type-Options", "nosniff"),
    ("Referrer-Policy", "strict-origin-when-cross-origin"),
    ("X-Frame-Options", "DENY"),
)
_INLINE_SCRIPT = re.compile(r"<script(?![^>]*\bnonce=)(?![^>]*\bsrc=)", re.IGNORECASE)


def nonce() -> str:
    """This request's CSP nonce (made on first use)."""
    value: str | None = g.get("csp_nonce")
    if value is None:
        value = secrets.token_urlsafe(16)
        g.csp_nonce = value
    return value


def with_nonce(html: str) -> Markup:
    """Give every inline ``<script>`` in ``html`` this request's nonce."""
    return Markup(_INLINE_SCRIPT.sub(f'<script nonce="{nonce()}"', str(html)))


def _basemap_origin(settings: Settings) -> str:
    from webmap.basemap import choice

    if not settings.basemap_url or choice(settings)[0] != "online":
        return ""
    parsed = urlparse(settings.basemap_url.replace("{s}", "a"))
    return f"{parsed.scheme}://{parsed.netloc}" if parsed.netloc else ""


def policy(settings: Settings, script_nonce: str | None) -> str:
    """The Content-Security-Policy value for one response."""
    scripts = "'self'" + (f" 'nonce-{script_nonce}'" if script_nonce else "")
    images = " ".join(filter(None, ["'self'", "data:", "blob:", _basemap_origin(settings)]))
    return "; ".join(
        [
            "default-src 'self'",
            f"script-src {scripts}",
            "style-src 'self' 'unsafe-inline'",  # Leaflet positions tiles with inline styles
            f"img-src {images}",
            "font-src 'self' data:",
            "connect-src 'self'",
            "object-src 'none'",
            "base-uri 'self'",
            "form-action 'self'",
            "frame-ancestors 'none'",
        ]
    )


def init_app(app: Flask, settings: Settings) -> None:
    """Add the headers to every response and expose the nonce to templates."""
    app.jinja_env.filters["with_nonce"] = with_nonce

    @app.context_processor
    def _inject() -> dict[str, object]:
        return {"csp_nonce": nonce()}

    @app.after_request
    def _headers(response: Response) -> Response:
        headers = response.headers
        if response.mimetype == "text/html":
            headers.setdefault("Content-Security-Policy", policy(settings, g.get("csp_nonce")))
        for name, value in FIXED_HEADERS:
            headers.setdefault(name, value)
        return response
