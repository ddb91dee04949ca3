"""Find one of the WSGI middlewares that ``create_app`` puts in front of Flask."""

from __future__ import annotations

from typing import Any, TypeVar

M = TypeVar("M")


def middleware(app: Any, kind: type[M]) -> M:
    """The middleware of type ``kind`` in ``app.wsgi_app``'s chain (each has ``.wrapped``)."""
    layer = app.wsgi_app
    while not isinstance(layer, kind):
        layer = getattr(layer, "wrapped", None)
        assert layer is not None, f"no {kind.__name__} in front of the app"
    return layer
