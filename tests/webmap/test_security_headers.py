"""Security headers on pages: CSP with a per-request script nonce and no unsafe-inline script."""

from __future__ import annotations

import re


def _script_src(csp: str) -> str:
    return next(part for part in csp.split("; ") if part.startswith("script-src"))


def test_pages_carry_a_nonce_csp_and_the_usual_headers(client, demo_loaded) -> None:
    response = client.get("/")
    csp = response.headers["Content-Security-Policy"]
    script_src = _script_src(csp)
    assert "'unsafe-inline'" not in script_src and "'unsafe-eval'" not in script_src
    assert "frame-ancestors 'none'" in csp
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert response.headers["Referrer-Policy"] == "strict-origin-when-cross-origin"


def test_every_inline_script_of_a_map_page_has_the_nonce(client, demo_loaded) -> None:
    response = client.get("/collections/shelters/items?f=html&limit=5")
    html = response.get_data(as_text=True)
    nonce = re.search(r"'nonce-([^']+)'", response.headers["Content-Security-Policy"]).group(1)
    inline = re.findall(r"<script(?![^>]*\bsrc=)([^>]*)>", html)
    assert inline, "the items page renders a folium map with inline scripts"
    assert all(f'nonce="{nonce}"' in attrs for attrs in inline)
    second = client.get("/collections/shelters/items?f=html&limit=5")
    assert second.headers["Content-Security-Policy"] != response.headers["Content-Security-Policy"]


def test_json_answers_have_nosniff_but_no_page_policy(client, demo_loaded) -> None:
    response = client.get("/collections?f=json")
    assert response.headers["X-Content-Type-Options"] == "nosniff"
    assert "Content-Security-Policy" not in response.headers
