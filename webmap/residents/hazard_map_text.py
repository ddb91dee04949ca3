"""Words of the hazard map's script (``static/js/hazardmap.js``), in Japanese and English.

The page template has its own words (``t()``); these are the ones the script writes into the
panel, the markers and the messages, handed to it in the page's language.
"""

from __future__ import annotations

from gis.platform.languages import Msg


def _t(ja: str, en: str) -> Msg:
    return Msg(ja, en)


# One short mark per status, drawn on the marker (so status is not told by colour alone).
STATUS_BADGES: dict[str, Msg] = {
    "open": _t("開", "O"),
    "permanent": _t("常", "A"),
    "not_opened": _t("未", "N"),
    "closed": _t("閉", "C"),
    "unknown": _t("?", "?"),
}

TEXT: dict[str, Msg] = {
    "map_label": _t(
        "ハザードマップ（浸水深・土砂災害警戒区域・避難所）。同じ内容は地図の下の文章で確認できます。",
        "Hazard map (flood depth, landslide zones, shelters). "
        "The text beside or below the map says the same.",
    ),
    "zoom_in": _t("拡大", "Zoom in"),
    "zoom_out": _t("縮小", "Zoom out"),
    "loading": _t("調べています…", "Checking…"),
    "panel_title": _t("この場所の危険と近くの避難所", "Hazards here and nearby shelters"),
    "point": _t("調べた地点", "Place checked"),
    "lat": _t("緯度", "latitude"),
    "lon": _t("経度", "longitude"),
    "hazards_here": _t("この場所の危険", "Hazards at this place"),
    "outside": _t("区域外", "not inside any area"),
    "rank": _t("ランク", "rank"),
    "nearest_for": _t("が対象で開設中の近くの避難場所", ": nearest open shelters for this hazard"),
    "nearest_for_any": _t(
        "が対象の近くの避難場所（未開設を含む）",
        ": nearest shelters for this hazard (including not opened)",
    ),
    "inside_first": _t("（この場所が区域内）", " (this place is inside)"),
    "none_open": _t(
        "近くに開設中の避難場所はありません。避難所の一覧で開設状況を確認してください。",
        "No open shelter nearby. Check the shelter list for the latest status.",
    ),
    "way": _t("{direction}へ {distance}", "{distance} to the {direction}"),
    "distance": _t("距離", "distance"),
    "capacity_n": _t("収容人数 {n}人", "capacity: {n} people"),
    "list_sep": _t("、", ", "),
    "crowding": _t("混雑", "crowding"),
    "share": _t("この場所を共有するリンク", "Link to share this place"),
    "list_link": _t("避難所の一覧（表）で見る", "See the shelter list (table)"),
    "error": _t("調べられませんでした: ", "Could not check this place: "),
    "locating": _t("現在地を調べています…", "Finding your location…"),
    "geo_denied": _t(
        "位置情報の利用が許可されていません。緯度・経度を入力するか、地図を動かして「地図の中心を調べる」を使ってください。",
        "Location access was denied. Enter a latitude and longitude, or move the map and use "
        "“Check the map centre”.",
    ),
    "geo_unavailable": _t(
        "この端末・ブラウザでは現在地を使えません。緯度・経度を入力するか、地図の中心を使ってください。",
        "Your location is not available on this device or browser. Enter a latitude and "
        "longitude, or use the map centre.",
    ),
    "geo_found": _t("現在地を調べました。", "Checked your location."),
    "zoom_more": _t("（拡大すると表示されます）", " (zoom in to see it)"),
    "shelters_truncated": _t(
        "避難所が多すぎるため一部だけ表示しています。拡大してください。",
        "Too many shelters to show them all: zoom in.",
    ),
    "served": _t("対象の災害", "Hazards served"),
}
