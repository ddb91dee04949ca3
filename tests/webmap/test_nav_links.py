"""The landing page and the site nav link the planners' maps, open data and usage pages."""

from __future__ import annotations

import re
from typing import Any

import pytest

LINKED = ("/map/deadzones", "/map/transit", "/datasets", "/stats")


@pytest.mark.parametrize("lang", ["ja", "en"])
def test_landing_and_nav_link_the_pages(client: Any, demo_loaded: Any, lang: str) -> None:
    html = client.get(f"/?lang={lang}").get_data(as_text=True)
    nav = re.search(r"<nav aria-label=.*?</nav>", html, re.S)  # the site nav, not the language menu
    main = re.search(r"<main.*?</main>", html, re.S)
    assert nav and main
    for path in LINKED:
        assert f'href="{path}"' in nav.group(0)
        assert f'href="{path}"' in main.group(0)
    for path in ("/map/deadzones", "/datasets", "/stats"):
        assert client.get(f"{path}?lang={lang}").status_code == 200
