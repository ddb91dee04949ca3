"""The search box's words (``static/js/search-box.js``, ``opts.words``) for the residents'
pages, in every language of the catalogues (the script keeps its own Japanese and English)."""

from __future__ import annotations

from gis.platform.languages import Msg


def _t(ja: str, en: str) -> Msg:
    return Msg(ja, en)


SEARCH_WORDS: dict[str, Msg] = {
    "label": _t("住所・地名で探す", "Search an address or place"),
    "help": _t(
        "例: 中央2-3、湯田温泉、避難所の名前。↓↑で候補を選び Enter で決定します。",
        "E.g. 中央2-3, 湯田温泉, a shelter's name. Use Down/Up to pick a suggestion, "
        "Enter to choose.",
    ),
    "list": _t("検索の候補", "Search suggestions"),
    "found": _t(
        "候補が {n} 件あります。↓キーで選べます。",
        "Suggestions: {n}. Use the down arrow to choose.",
    ),
    "none": _t(
        "見つかりませんでした。別の書き方（町名だけ、番地なし）でお試しください。",
        "Nothing found. Try another spelling (the town only, without numbers).",
    ),
    "failed": _t(
        "検索できませんでした。しばらくしてからお試しください。",
        "Search failed. Please try again shortly.",
    ),
    "chosen": _t("「{label}」を選びました。", "Chose {label}."),
    "searching": _t("検索中…", "Searching…"),
}
