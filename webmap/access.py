"""The layer catalogue as the caller may see it (restricted layers need the owner's token or
a signed-in staff session of the owner; both give the same principal).

Anonymous requests never touch the database here; a request with an ``Authorization`` header
is authenticated once (a bad token is a 401, never a silent fall-back to anonymous). Answers to
requests that carry credentials are marked ``Cache-Control: private, no-store`` so no shared
cache keeps a restricted layer.
"""

from __future__ import annotations

from flask import Blueprint, Flask, Response, current_app, g, request

from gis.layerstore import access
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.platform import auth
from webmap import context, db
from webmap.auth import require_principal, session_principal, session_value


def caller() -> auth.Principal | None:
    """The signed-in caller, or None for an anonymous request."""
    if not request.headers.get("Authorization"):
        return session_principal() if session_value() else None
    cached: auth.Principal | None = g.get("kasane_principal")
    if cached is not None:
        return cached
    with db.connection() as conn:
        return require_principal(conn)


def registry() -> LayerRegistry:
    """The layers this request may see."""
    who = caller()
    if who is None:
        return public_registry()
    return access.visible_registry(context.registry(), who)


def public_registry() -> LayerRegistry:
    """The layers anonymous callers may see (needs only an app context)."""
    context.registry()  # re-read first if the layer files changed (drops the cached one)
    public: LayerRegistry | None = current_app.extensions.get("kasane.public_registry")
    if public is None:
        public = access.visible_registry(context.registry(), None)
        current_app.extensions["kasane.public_registry"] = public
    return public


def layer(layer_id: str) -> LayerSpec:
    """A layer this request may see; NotFound (naming only visible layers) otherwise."""
    return registry().get(layer_id)


def require(*layer_ids: str) -> None:
    """NotFound (as for an unknown layer) unless this request may see each of ``layer_ids``.

    For endpoints that read fixed layer tables directly; a layer the catalogue does not
    define at all is left to the endpoint (it reports a missing table its own way).
    """
    visible = registry()
    for layer_id in layer_ids:
        if layer_id in context.registry() and layer_id not in visible:
            visible.get(layer_id)


def guard(bp: Blueprint, *layer_ids: str) -> None:
    """Make every view of ``bp`` :func:`require` ``layer_ids`` first."""
    bp.before_request(lambda: require(*layer_ids))


def init_app(app: Flask) -> None:
    """Keep answers to signed-in requests out of shared caches."""

    @app.after_request
    def _private(response: Response) -> Response:
        if request.headers.get("Authorization") or session_value():
            response.headers["Cache-Control"] = "private, no-store"
            response.vary.add("Authorization")
            response.vary.add("Cookie")
        return response
