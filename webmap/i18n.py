"""Japanese by default, English on request (``?lang=en``, remembered in a cookie)."""

from __future__ import annotations

from flask import Flask, Response, g, request

LANGUAGES = ("ja", "en")
COOKIE = "kasane_lang"


def current_lang() -> str:
    """'ja' or 'en' for this request."""
    lang: str = g.get("lang", "ja")
    return lang


def init_app(app: Flask) -> None:
    """Pick the language before each request and expose ``lang``/``t`` to templates."""

    @app.before_request
    def _pick() -> None:
        asked = request.args.get("lang") or request.cookies.get(COOKIE) or "ja"
        g.lang = asked if asked in LANGUAGES else "ja"

    @app.after_request
    def _remember(response: Response) -> Response:
        if request.args.get("lang") in LANGUAGES:
            response.set_cookie(COOKIE, request.args["lang"], max_age=31536000, samesite="Lax")
        return response

    @app.context_processor
    def _inject() -> dict[str, object]:
        lang = current_lang()

        def t(ja: str, en: str) -> str:
            return en if lang == "en" else ja

        return {"lang": lang, "t": t, "other_lang": "en" if lang == "ja" else "ja"}
