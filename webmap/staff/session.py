"""The staff console's blueprint, its cookies and who is signed in.

Two cookies, both ``HttpOnly``, ``SameSite=Lax`` and ``Secure`` (``KASANE_COOKIE_SECURE``):
``kasane_staff`` holds the server-side session (:mod:`gis.platform.sessions`), sent on every
path so restricted layers show on the maps for a signed-in member; ``kasane_csrf`` is Flask's
signed cookie holding only Flask-WTF's CSRF secret, sent to ``/staff`` only. Every POST under
``/staff`` must carry the form's CSRF token (Flask-WTF's :class:`CSRFProtect`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from flask import Blueprint, Response, abort, current_app, redirect, request, session, url_for
from flask_wtf.csrf import CSRFProtect

from gis.platform import auth, sessions
from gis.platform.settings import Settings
from webmap import context
from webmap.auth import SESSION_COOKIE, session_principal, session_value
from webmap.client_address import client_address

bp = Blueprint("staff", __name__, url_prefix="/staff")
csrf = CSRFProtect()


def secret_key(settings: Settings) -> str:
    """``KASANE_SECRET_KEY``, else a random key kept (0600) in ``KASANE_HOME/secret_key`` and
    shared by every worker on this machine (created once, atomically)."""
    if settings.secret_key:
        return settings.secret_key
    path = Path(settings.home) / "secret_key"
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        scratch = path.with_name(f".secret_key.{os.getpid()}")
        fd = os.open(scratch, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            out.write(os.urandom(32).hex())
        try:
            os.link(scratch, path)  # fails if another worker made it first: theirs wins
        except FileExistsError:
            pass
        finally:
            scratch.unlink()
    return path.read_text(encoding="ascii").strip()


def client_digest() -> str:
    """A keyed digest of the client's address (throttling; the address is never stored);
    behind a listed proxy, the address it forwarded (:mod:`webmap.client_address`)."""
    key = str(current_app.secret_key).encode()
    return hmac.new(key, client_address().encode(), hashlib.sha256).hexdigest()


def safe_next(value: str | None) -> str:
    """Where to go after signing in: a path under /staff of this site, else the console home."""
    if value:
        parts = urlsplit(value)
        if not parts.scheme and not parts.netloc and parts.path.startswith("/staff"):
            return value
    return url_for("staff.home")


def signed_in() -> auth.Principal:
    """The signed-in user; otherwise the request ends with a redirect to the sign-in page."""
    who = session_principal()
    if who is None:
        target = request.full_path if request.method == "GET" else request.path
        abort(redirect(url_for("staff.sign_in", next=target.rstrip("?")), 303))
    return who


def set_session_cookie(response: Response, value: str) -> None:
    """Give the browser its new session (a browser-session cookie; the server decides expiry)."""
    settings = context.settings()
    response.set_cookie(
        SESSION_COOKIE, value, path="/", secure=settings.cookie_secure, httponly=True,
        samesite="Lax",
    )  # fmt: skip


def clear_session_cookie(response: Response) -> None:
    """Remove the session cookie and the CSRF secret."""
    settings = context.settings()
    response.delete_cookie(SESSION_COOKIE, path="/", secure=settings.cookie_secure,
                           httponly=True, samesite="Lax")  # fmt: skip
    session.clear()


def end_current(conn: Any) -> None:
    """End this request's session server-side."""
    sessions.end(conn, session_value())


def init_app(app: Any, settings: Settings) -> None:
    """Secret key, cookie flags and CSRF checks (on /staff POSTs only: the API's writes take
    Bearer tokens, which a cross-site form cannot send)."""
    app.secret_key = secret_key(settings)
    app.config.update(
        SESSION_COOKIE_NAME="kasane_csrf",
        SESSION_COOKIE_PATH="/staff",
        SESSION_COOKIE_SECURE=settings.cookie_secure,
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_CHECK_DEFAULT=False,
        WTF_CSRF_TIME_LIMIT=None,  # valid as long as the CSRF cookie; sessions time out
    )
    csrf.init_app(app)


OPEN_POSTS = {"staff.sign_in", "staff.join"}  # the only forms for people not signed in
FORM_BYTES = 1 << 20  # every form but the upload is small


@bp.before_request
def _guard_posts() -> None:
    """Before a POST's body is read: the session is checked (except on sign-in and
    invitation forms), the body's size is capped, then the form's CSRF token is checked."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    if request.endpoint not in OPEN_POSTS:
        signed_in()
    if request.endpoint == "staff.preview":
        settings = context.settings()
        request.max_content_length = settings.upload_max_bytes * 20 + FORM_BYTES
    else:
        request.max_content_length = FORM_BYTES
    csrf.protect()
