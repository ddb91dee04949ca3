"""Domain errors, each with an HTTP status and a stable code; the server maps them in one place."""

from __future__ import annotations


class KasaneError(Exception):
    """Base class for every error Kasane reports to a person rather than as a traceback."""

    status: int = 500
    code: str = "internal-error"

    def __init__(self, message: str, *, hint: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.hint = hint

    def __str__(self) -> str:
        return f"{self.message} ({self.hint})" if self.hint else self.message


class ConfigError(KasaneError):
    """A setting, a layer file or the environment is wrong."""

    status = 500
    code = "configuration-error"


class LayerSpecError(ConfigError):
    """A layer file in ``layers/`` does not validate."""

    code = "invalid-layer-file"


class DatabaseUnavailable(KasaneError):
    """The database cannot be reached (down, wrong URL, refused)."""

    status = 503
    code = "database-unavailable"


class DatabaseNotReady(KasaneError):
    """The database is reachable but lacks PostGIS, a privilege or the schema."""

    status = 503
    code = "database-not-ready"


class ProvisionError(KasaneError):
    """The private PostgreSQL cluster could not be set up or started."""

    code = "provision-error"


class NotFound(KasaneError):
    """A layer, feature or version that does not exist (or is not visible to the caller)."""

    status = 404
    code = "not-found"


class BadRequest(KasaneError):
    """A request parameter is malformed or out of range."""

    status = 400
    code = "bad-request"


class LoadError(KasaneError):
    """Input data could not be loaded; the message names the file, row and field."""

    status = 422
    code = "load-error"


class Unauthorized(KasaneError):
    """No credentials, or credentials that are unknown, revoked or malformed."""

    status = 401
    code = "unauthorized"


class Forbidden(KasaneError):
    """The caller is known but may not do this (wrong role or another organisation's data)."""

    status = 403
    code = "forbidden"
