"""Layer uploads over HTTP: limits, the request handed to the loader, and its outcome.

The web app saves the upload into a private temporary directory and hands an
:class:`UploadRequest` to an :class:`UploadLoader`. The loader is the same pipeline as
``kasane load`` (``etl``); the CLI wires it into the app, because ``webmap`` and ``etl`` never
import each other. Archives are checked against :class:`UploadLimits` before anything is
extracted.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from gis.layerstore.layerspec import LayerSpec
from gis.platform.errors import KasaneError
from gis.platform.settings import Settings


class UploadTooLarge(KasaneError):
    """The upload, or what an archive would unpack to, exceeds a configured limit."""

    status = 413
    code = "upload-too-large"


class UnsafeArchive(KasaneError):
    """An archive member escapes the archive, is a link or a device, or has a bad name."""

    status = 422
    code = "unsafe-archive"


class UnsupportedUpload(KasaneError):
    """The content (sniffed, never taken from the name) is not a loadable format."""

    status = 415
    code = "unsupported-media-type"


@dataclass(frozen=True)
class UploadLimits:
    """What an upload may be: bytes sent, bytes unpacked, compression ratio, archive members."""

    max_bytes: int
    max_unzipped_bytes: int
    max_ratio: float
    max_members: int

    @classmethod
    def from_settings(cls, settings: Settings) -> UploadLimits:
        """The limits configured by ``KASANE_UPLOAD_*``."""
        return cls(
            settings.upload_max_bytes,
            settings.upload_max_unzipped_bytes,
            settings.upload_max_ratio,
            settings.upload_max_members,
        )


@dataclass(frozen=True)
class UploadRequest:
    """Files saved from one upload, to be loaded into one layer."""

    spec: LayerSpec
    files: list[Path]
    scratch: Path  # private directory for anything unpacked; removed by the caller
    limits: UploadLimits
    dry_run: bool = False
    force: bool = False
    encoding: str | None = None
    crs: str | None = None
    part: str | None = None  # a shared layer's part to publish (gis.layerstore.parts)
    parts: str | None = None  # or, for the prefecture, "present" or "all"
    loaded_by: str = "api"


@dataclass
class UploadOutcome:
    """The load report (as JSON) and the version it created, if any."""

    report: dict[str, Any]
    version: int | None = None
    loaded: int = 0
    unchanged: bool = False
    files: list[str] = field(default_factory=list)


class UploadLoader(Protocol):
    """Loads an upload into a layer, all or nothing (see ``etl.upload.load_upload``)."""

    def __call__(self, url: str, request: UploadRequest) -> UploadOutcome:
        """Check, read, validate and (unless a dry run) publish; returns the report."""
