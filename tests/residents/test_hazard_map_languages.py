"""/map/hazard in every residents' language, in headless Chromium against the demo data: the
page says it is in that language, checking a place fills the panel in it, no Japanese is left
on a non-Japanese page except proper names (marked ``lang="ja"``: shelter names, addresses,
the municipality) and the language menu, and axe finds nothing."""

from __future__ import annotations

import re
from typing import Any

import pytest

from gis.platform.db import connect
from gis.platform.languages import TAGS, translate
from tests.browser import accessible_page, wait_until

pytestmark = pytest.mark.browser
KANA = re.compile(r"[\u3040-\u30ff]")
# the text of the page outside proper names and the language menu (which names 日本語 in itself)
VISIBLE_TEXT = """() => {
  const skip = el => el.closest('[lang^="ja"]:not(html), .lang-menu, script, style, noscript');
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  const out = [];
  for (let n = walker.nextNode(); n; n = walker.nextNode()) {
    const parent = n.parentElement;
    if (parent && !skip(parent) && parent.getClientRects().length && n.textContent.trim()) {
      out.push(n.textContent.trim());
    }
  }
  for (const el of document.querySelectorAll('[aria-label], [title], [placeholder]')) {
    if (!skip(el)) {
      for (const a of ['aria-label', 'title', 'placeholder']) {
        if (el.getAttribute(a)) { out.push(el.getAttribute(a)); }
      }
    }
  }
  return out;
}"""


@pytest.fixture(scope="module")
def flooded_point(database_url: str, demo_loaded: dict[str, str]) -> dict[str, float]:
    """A point inside a demo flood-depth area with open flood shelters nearby."""
    with connect(database_url) as conn:
        row = conn.execute(
            "SELECT ST_X(p), ST_Y(p) FROM (SELECT ST_PointOnSurface(geom) AS p"
            " FROM layer_data.flood_depth ORDER BY depth_rank DESC LIMIT 1) q"
        ).fetchone()
    assert row is not None
    return {"lon": float(row[0]), "lat": float(row[1])}


def _text_outside_proper_names(page: Any) -> list[str]:
    texts: list[str] = page.evaluate(VISIBLE_TEXT)
    return [t for t in texts if KANA.search(t)]


@pytest.mark.parametrize("lang", TAGS)
def test_hazard_map_reads_in_every_residents_language(
    browser: Any, live_server: str, flooded_point: dict[str, float], lang: str
) -> None:
    point = f"&lat={flooded_point['lat']:.6f}&lon={flooded_point['lon']:.6f}&z=16"
    with accessible_page(browser, f"{live_server}/map/hazard?lang={lang}{point}", lang) as page:
        wait_until(page, "document.querySelector('#panel-hazards') !== null")
        heading = page.inner_text("#panel-heading")
        assert heading == translate(
            "この場所の危険と近くの避難所", "Hazards here and nearby shelters", lang
        )
        flood = page.locator("#panel-hazards li[data-kind='flood_depth']")
        assert flood.get_attribute("data-depth-rank")
        nearest = page.locator("#panel-body h3").all_inner_texts()
        assert any(translate("洪水", "Flood", lang) in h for h in nearest), nearest
        assert page.locator(f".lang-menu a[hreflang='{lang}'][aria-current='true']").count() == 1
        if lang not in ("ja", "ja-x-easy"):
            left = _text_outside_proper_names(page)
            assert left == [], f"Japanese left on the {lang} page: {left}"
