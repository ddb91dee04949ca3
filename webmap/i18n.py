"""The page's language: ``?lang=`` (remembered in a cookie), else the cookie, else the
browser's ``Accept-Language``, else Japanese; and ``t(ja, en)`` for templates.

Residents' pages (:data:`RESIDENT_BLUEPRINTS`) speak every language of
:data:`gis.platform.languages.LANGUAGES`; staff and planner pages speak Japanese and English,
so there a resident's choice of, say, Vietnamese shows English (やさしい日本語: Japanese).
Flask-Babel carries the Babel locale of the request, so ``format_decimal``/``format_date``
and the template helpers :func:`number` and :func:`date_text` format for the reader.
See docs/languages.md.
"""

from __future__ import annotations

from datetime import date, datetime
from urllib.parse import urlencode

from flask import Flask, Response, g, request
from flask_babel import Babel, format_date, format_decimal

from gis.platform.era import era_date
from gis.platform.languages import BY_TAG, STAFF_TAGS, TAGS, normalise, translate
from gis.platform.languages import LANGUAGES as ALL_LANGUAGES

COOKIE = "kasane_lang"
LANGUAGES = STAFF_TAGS  # what every page speaks ("ja", "en"); residents' pages speak TAGS
RESIDENT_BLUEPRINTS = ("residents", "integrated_map", "search")


def is_residents_page() -> bool:
    """Whether this request is one of the residents' (every-language) pages and APIs."""
    blueprint = request.blueprint or ""
    return blueprint.split(".")[0] in RESIDENT_BLUEPRINTS


def asked_lang() -> str:
    """The language the reader asked for (any supported one), by ``?lang=``, cookie, browser."""
    asked = normalise(request.args.get("lang")) or normalise(request.cookies.get(COOKIE))
    if asked:
        return asked
    header = request.accept_languages
    for value, _quality in header:
        found = normalise(value)
        if found:
            return found
    return "ja"


def page_lang(asked: str, residents: bool) -> str:
    """The language a page shows for ``asked``: itself on residents' pages, else English
    (Japanese for やさしい日本語) where the page speaks only Japanese and English."""
    if residents or asked in STAFF_TAGS:
        return asked
    return "ja" if asked == "ja-x-easy" else "en"


def current_lang() -> str:
    """The tag of the language this page is written in (``ja``, ``en``, ``vi``…)."""
    lang: str = g.get("lang", "ja")
    return lang


def t(ja: str, en: str) -> str:
    """``ja``/``en`` in the current language (other languages: the catalogue, English msgid)."""
    return translate(ja, en, current_lang())


def number(value: float, digits: int = 0) -> str:
    """``value`` as the reader writes numbers (grouping, decimal sign)."""
    pattern = "#,##0" + ("." + "0" * digits if digits else "")
    return str(format_decimal(value, format=pattern))


def date_text(value: date | datetime) -> str:
    """A date as the reader reads it: the Japanese era calendar (令和8年12月8日) on Japanese
    pages, the locale's medium date elsewhere."""
    day = value.date() if isinstance(value, datetime) else value
    if current_lang() in ("ja", "ja-x-easy"):
        return era_date(day)
    return str(format_date(day, format="medium"))


def _menu(lang: str) -> list[dict[str, str]]:
    """One link per language of this page, named in itself, keeping the rest of the query."""
    tags = TAGS if is_residents_page() else STAFF_TAGS
    rest = [(k, v) for k, v in request.args.items(multi=True) if k != "lang"]
    return [
        {
            "tag": tag,
            "name": BY_TAG[tag].name,
            "href": "?" + urlencode([*rest, ("lang", tag)]),
            "current": "true" if tag == lang else "",
        }
        for tag in tags
    ]


def init_app(app: Flask) -> None:
    """Pick the language before each request and expose ``lang``/``t`` to templates."""
    Babel(app, locale_selector=lambda: BY_TAG[current_lang()].babel)

    @app.before_request
    def _pick() -> None:
        g.asked_lang = asked_lang()
        g.lang = page_lang(g.asked_lang, is_residents_page())

    @app.after_request
    def _remember(response: Response) -> Response:
        asked = normalise(request.args.get("lang"))
        if asked:
            response.set_cookie(COOKIE, asked, max_age=31536000, samesite="Lax")
        # Only a rendered page depends on the negotiated language: a 204 tile or a 304 has
        # Flask's default text/html type too, and must keep the fast path's exact headers.
        if "lang" not in request.args and g.get("page_rendered"):
            response.vary.add("Accept-Language")
            response.vary.add("Cookie")
        return response

    @app.context_processor
    def _inject() -> dict[str, object]:
        g.page_rendered = True
        lang = current_lang()
        return {
            "lang": lang,
            "t": t,
            "number": number,
            "date_text": date_text,
            "languages": _menu(lang),
            "other_lang": "en" if lang != "en" else "ja",
            "all_languages": ALL_LANGUAGES,
        }
