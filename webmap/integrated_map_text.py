"""Words of the integrated map (``/map``) that the script writes, and the themes' names, in
Japanese and English. Which theme a layer belongs to is data, in its layer file."""

from __future__ import annotations

from gis.layerstore.layerspec import Theme
from gis.platform.languages import Msg


def _t(ja: str, en: str) -> Msg:
    return Msg(ja, en)


THEMES: dict[Theme, dict[str, str]] = {
    Theme.DISASTER: _t("防災", "Disaster"),
    Theme.TRANSPORT: _t("交通", "Transport"),
    Theme.SERVICES: _t("暮らしのサービス", "Everyday services"),
    Theme.TELECOM: _t("通信", "Telecom"),
    Theme.STATISTICS: _t("統計・境界", "Statistics and boundaries"),
    Theme.OTHER: _t("その他", "Other"),
}

TEXT: dict[str, Msg] = {
    "map_label": _t(
        "統合地図。表示中のレイヤーの地物は、地図の下の「表示範囲の地物」の表でも確認できます。",
        "Integrated map. The features of the layers shown are also listed in the table "
        "“Features in view” below the map.",
    ),
    "zoom_in": _t("拡大", "Zoom in"),
    "zoom_out": _t("縮小", "Zoom out"),
    "loading": _t("読み込んでいます…", "Loading…"),
    "none_in_view": _t("表示範囲に地物はありません。", "No features in view."),
    "no_layers": _t(
        "表示中のレイヤーがありません。レイヤーの一覧から選んでください。",
        "No layer is switched on. Choose layers in the layer panel.",
    ),
    "shown_of": _t("件を表示（表示範囲の全", "shown (of "),
    "shown_of_end": _t("件）", " in view)"),
    "csv": _t("CSV（表示範囲の全件）", "CSV (all features in view)"),
    "open_item": _t("APIで開く（GeoJSON）", "Open in the API (GeoJSON)"),
    "here_none": _t(
        "地図の中心（＋印）に地物はありません。",
        "No features at the map centre (+).",
    ),
    "here_title": _t("地図の中心（＋印）の地物", "Features at the map centre (+)"),
    "details": _t("詳しく見る", "Details"),
    "error": _t("読み込めませんでした: ", "Could not load: "),
    "feature": _t("地物", "Feature"),
    "layer": _t("レイヤー", "Layer"),
    "close": _t("閉じる", "Close"),
    "yes": _t("はい", "yes"),
    "no": _t("いいえ", "no"),
}
