"""Which language a page speaks: ``?lang=`` > the cookie > ``Accept-Language`` > Japanese;
residents' pages in every language, staff and planner pages in Japanese and English; the
language menu names each language in itself with the right ``lang``/``hreflang``."""

from __future__ import annotations

import re
from datetime import date
from typing import Any

import pytest

from gis.layerstore.layerspec import Text
from gis.platform.era import era_date, era_year
from gis.platform.languages import LANGUAGES
from webmap.i18n import COOKIE

HTML_LANG = re.compile(r'<html lang="([^"]+)">')


def _lang(response: Any) -> str:
    found = HTML_LANG.search(response.get_data(as_text=True))
    assert found, response.status_code
    return found.group(1)


def test_accept_language_vi_gets_vietnamese(client: Any) -> None:
    page = client.get("/map/hazard", headers={"Accept-Language": "vi-VN,vi;q=0.9,en;q=0.5"})
    assert page.status_code == 200
    assert _lang(page) == "vi"
    assert "Bản đồ nguy cơ thiên tai" in page.get_data(as_text=True)
    assert "Accept-Language" in page.headers["Vary"]


@pytest.mark.parametrize(
    ("header", "lang"),
    [("zh-TW", "zh-Hant"), ("zh-CN,zh;q=0.9", "zh-Hans"), ("pt", "pt-BR"), ("fil", "tl"),
     ("ne-NP", "ne"), ("ko-KR", "ko"), ("de-DE,fr;q=0.8", "ja"), ("en-US,en", "en")],
)  # fmt: skip
def test_browser_languages_map_to_ours(client: Any, header: str, lang: str) -> None:
    assert _lang(client.get("/map/hazard", headers={"Accept-Language": header})) == lang


def test_lang_parameter_overrides_and_the_cookie_remembers(client: Any) -> None:
    first = client.get("/map/hazard?lang=ko", headers={"Accept-Language": "vi"})
    assert _lang(first) == "ko"
    assert f"{COOKIE}=ko" in first.headers["Set-Cookie"]
    again = client.get("/map/hazard", headers={"Accept-Language": "vi"})  # the client's jar
    assert _lang(again) == "ko"
    assert _lang(client.get("/map/hazard?lang=ne")) == "ne"
    assert _lang(client.get("/map/hazard")) == "ne"


def test_staff_and_planner_pages_stay_japanese_and_english(client: Any) -> None:
    assert _lang(client.get("/datasets?lang=vi")) == "en"
    assert _lang(client.get("/datasets?lang=ja-x-easy")) == "ja"
    menu = client.get("/datasets?lang=vi").get_data(as_text=True)
    assert 'hreflang="vi"' not in menu and 'hreflang="ja"' in menu


def test_the_menu_names_every_language_in_itself(client: Any) -> None:
    body = client.get("/map/hazard?lang=vi&z=12").get_data(as_text=True)
    for language in LANGUAGES:
        link = re.search(
            rf'<a href="([^"]+)" lang="{re.escape(language.tag)}" '
            rf'hreflang="{re.escape(language.tag)}"( aria-current="true")?>([^<]+)</a>',
            body,
        )
        assert link, language.tag
        assert link.group(3) == language.name
        assert "z=12" in link.group(1).replace("&amp;", "&")  # the page's state is kept
        assert bool(link.group(2)) == (language.tag == "vi")
        assert f'rel="alternate" hreflang="{language.tag}"' in body or language.tag == "vi"


def test_layer_texts_fall_back_to_english_then_japanese() -> None:
    text = Text(ja="浸水", en="Flooding", vi="Ngập")
    assert text.resolve("vi") == ("Ngập", "vi")
    assert text.resolve("ko") == ("Flooding", "en")
    assert text.resolve("ja-x-easy") == ("浸水", "ja")
    assert text.model_dump() == {"ja": "浸水", "en": "Flooding", "vi": "Ngập"}
    with pytest.raises(ValueError, match="'xx' is not a supported language"):
        Text(ja="浸水", en="Flooding", xx="?")
    with pytest.raises(ValueError, match="en"):
        Text.model_validate({"ja": "浸水", "vi": "Ngập"})


def test_the_hazard_layers_explain_their_classes_in_every_language(registry: Any) -> None:
    for layer in ("flood_depth", "landslide_zones"):
        spec = registry.get(layer)
        for language in LANGUAGES:
            assert spec.title.resolve(language.tag)[1] == language.tag
            for entry in spec.style.classes:
                assert entry.label.resolve(language.tag)[1] == language.tag, (layer, entry.value)


@pytest.mark.parametrize(
    ("day", "text"),
    [(date(2019, 4, 30), "平成31年4月30日"), (date(2019, 5, 1), "令和元年5月1日"),
     (date(2026, 12, 8), "令和8年12月8日"), (date(1989, 1, 7), "昭和64年1月7日"),
     (date(1868, 1, 25), "明治元年1月25日")],
)  # fmt: skip
def test_japanese_era_dates(day: date, text: str) -> None:
    assert era_date(day) == text
    assert era_year(day) == text.split("年")[0] + "年"
