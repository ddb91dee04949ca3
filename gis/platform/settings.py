"""Settings read from ``KASANE_*`` environment variables (and an optional ``.env`` file).

Settings are never created at import time: the CLI and the app factory call
:func:`load_settings` once and pass the object down.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

PROJECT_ROOT = Path(__file__).resolve().parents[2]

GSI_STD_TILES = "https://cyberjapandata.gsi.go.jp/xyz/std/{z}/{x}/{y}.png"
GSI_ATTRIBUTION = (
    '<a href="https://maps.gsi.go.jp/development/ichiran.html">地理院タイル</a> (GSI tiles)'
)


class Settings(BaseSettings):
    """Every knob Kasane has. Each field is documented in the README (a test checks that)."""

    model_config = SettingsConfigDict(env_prefix="KASANE_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None,
        description="PostgreSQL URL. When unset, the private cluster under KASANE_HOME is used.",
    )
    database_replica_urls: str = Field(
        default="",
        description="Streaming replicas (hot standbys) of the database, comma-separated URLs:"
        " reads go there while they keep up, writes and LISTEN to KASANE_DATABASE_URL.",
    )
    replica_max_lag_s: float = Field(
        default=5.0, ge=0, le=3600, description="A replica further behind than this is skipped."
    )
    home: Path = Field(
        default=PROJECT_ROOT / ".kasane",
        description="Directory for the private PostgreSQL cluster and runtime state.",
    )
    layers_dir: Path = Field(
        default=PROJECT_ROOT / "layers", description="Directory of layer TOML files."
    )
    node_modules: Path = Field(
        default=PROJECT_ROOT / "node_modules",
        description="The npm packages' folder (`npm ci`) whose browser libraries are served.",
    )
    prefecture: str = Field(
        default="",
        pattern=r"^(|0[1-9]|[1-3][0-9]|4[0-7])$",
        description="Two-digit code of the prefecture the instance serves (e.g. 33 for 岡山県):"
        " the default owner of new layer files. Set by `kasane init --prefecture`.",
    )
    host: str = Field(default="127.0.0.1", description="Address `kasane serve` binds to.")
    proxy_hops: int = Field(
        default=0,
        ge=0,
        le=5,
        description="Reverse proxies in front of Kasane whose X-Forwarded-For/-Proto/-Host are"
        " trusted (1 behind nginx); 0 when clients connect directly.",
    )
    port: int = Field(default=8000, ge=1, le=65535, description="Port `kasane serve` binds to.")
    static_export_dir: str = Field(
        default="",
        description="Where `kasane serve` keeps the static emergency edition of the hazard map"
        " current (empty: not kept).",
    )
    workers: int = Field(default=2, ge=1, le=64, description="gunicorn worker processes.")
    pool_max: int = Field(
        default=8, ge=1, le=200, description="Largest database pool per server process."
    )
    basemap: Literal["auto", "archive", "online", "local", "none"] = Field(
        default="auto",
        description="Basemap of every map: auto (the imported archive, else the online URL),"
        " archive, online, local (borders and names from admin_boundaries) or none. The local"
        " basemap is drawn beneath the others, so a map is never blank offline.",
    )
    basemap_url: str = Field(
        default=GSI_STD_TILES,
        description="XYZ basemap URL template; empty for no basemap (closed networks).",
    )
    basemap_attribution: str = Field(
        default=GSI_ATTRIBUTION, description="HTML credit shown with the basemap."
    )
    log_level: str = Field(default="INFO", description="Python logging level.")
    deadzone_targets: str = Field(
        default="",
        description="Dead-zone reduction plan as YEAR:DISTRICTS pairs, e.g. 2019:62,2022:40"
        " (empty: no targets; `kasane demo` uses the demo area's plan).",
    )
    mesh_scope: Literal["touching", "populated"] = Field(
        default="touching",
        description="Default 2nd-mesh cells counted in the 5G deployment rate.",
    )
    usage_flush_seconds: float = Field(
        default=30.0, ge=1, le=3600, description="How often usage counters are written."
    )
    cache_mb: int = Field(
        default=128, ge=0, le=65536, description="Response caches per worker, MiB (0 = off)."
    )
    point_index_mb: int = Field(
        default=512,
        ge=0,
        le=65536,
        description="Memory per worker for hazard areas and shelters held for residents'"
        " point questions, MiB (0 = always ask PostGIS).",
    )
    cache_control: str = Field(
        default="public, max-age=60",
        description="Cache-Control of API responses (tiles, items, TileJSON).",
    )
    tile_feature_cap: int = Field(
        default=20000, ge=1, le=1_000_000, description="Most features per layer in one tile."
    )
    upload_max_bytes: int = Field(
        default=64 * 1024 * 1024, ge=1024, description="Largest layer upload accepted (bytes)."
    )
    upload_max_unzipped_bytes: int = Field(
        default=512 * 1024 * 1024, ge=1024, description="Most bytes an uploaded zip may unpack to."
    )
    upload_max_ratio: float = Field(
        default=100.0, ge=1, description="Highest unpacked/packed size ratio of an uploaded zip."
    )
    upload_max_members: int = Field(
        default=1000, ge=1, description="Most members (files) in an uploaded zip."
    )
    upload_dir: Path | None = Field(
        default=None, description="Where uploads are kept while loading (default: system temp)."
    )
    rate_limit_writes: int = Field(
        default=120, ge=0, description="Writes per minute per client, all servers (0 = off)."
    )
    rate_limit_heavy: int = Field(
        default=600, ge=0, description="Heavy reads per minute per client, all servers (0 = off)."
    )
    trusted_proxies: str = Field(
        default="",
        description="Addresses or networks (comma-separated) of the proxies and load balancers"
        " whose X-Forwarded-For names the client; from any other peer it is ignored.",
    )
    part_max_age_days: int = Field(
        default=180, ge=1, description="A shared layer's part older than this is shown as stale."
    )

    secret_key: str | None = Field(
        default=None,
        description="Key signing the console's CSRF cookie; default: a random key kept in"
        " KASANE_HOME/secret_key (set it when several machines serve one site).",
    )
    session_idle_minutes: int = Field(
        default=30, ge=1, le=1440, description="A staff session ends after this long unused."
    )
    session_max_hours: int = Field(
        default=12, ge=1, le=168, description="A staff session ends this long after sign-in."
    )
    cookie_secure: bool = Field(
        default=True, description="Send the console's cookies over HTTPS only (Secure flag)."
    )

    @field_validator("log_level")
    @classmethod
    def _upper_level(cls, value: str) -> str:
        level = value.upper()
        if level not in {"DEBUG", "INFO", "WARNING", "ERROR"}:
            raise ValueError("must be DEBUG, INFO, WARNING or ERROR")
        return level

    @field_validator("deadzone_targets")
    @classmethod
    def _targets(cls, value: str) -> str:
        from gis.platform.errors import ConfigError
        from gis.platform.year_targets import parse_targets

        try:
            parse_targets(value)
        except ConfigError as exc:
            raise ValueError(str(exc)) from exc
        return value


def load_settings(**overrides: object) -> Settings:
    """Read settings from the environment, with explicit overrides winning (used by tests)."""
    return Settings(**overrides)  # type: ignore[arg-type]
