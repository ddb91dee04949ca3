"""What every ``kasane`` command shares: settings and the layer catalogue, read on first use,
a ready database, and whether the command owns its process.

The root command puts one :class:`CliContext` on the click context; commands reach it through
:func:`settings_of`, :func:`registry_of` and :func:`owns_process`, so no command module imports
another and none imports the root command.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import click

from gis.layerstore.registry import LayerRegistry
from gis.platform import migrate as migrations
from gis.platform import provision
from gis.platform.db import check_postgis, connection, database_url
from gis.platform.errors import KasaneError
from gis.platform.settings import Settings, load_settings


@dataclass
class CliContext:
    """Lazily read settings and registry (so ``kasane --help`` works with a broken environment).

    ``owns_process`` is true when the ``kasane`` program itself runs (:mod:`kasane.entry`), not
    when the command line is called inside another program (tests, a shell): only then may a
    command end the process without Python's teardown (see :mod:`kasane.cmd_load`).
    """

    owns_process: bool = False
    _settings: Settings | None = field(default=None, repr=False)
    _registry: LayerRegistry | None = field(default=None, repr=False)

    def settings(self) -> Settings:
        """The ``KASANE_*`` settings; one clear error when they are invalid."""
        if self._settings is None:
            try:
                self._settings = load_settings()
            except Exception as exc:  # pydantic ValidationError and friends
                raise KasaneError(f"invalid KASANE_* setting: {exc}") from exc
        return self._settings

    def replace_settings(self, settings: Settings) -> None:
        """Use ``settings`` for the rest of the command (``kasane demo`` adds its plan)."""
        self._settings = settings

    def registry(self) -> LayerRegistry:
        """Every layer file, validated (a bad file stops with its name, key and why)."""
        if self._registry is None:
            self._registry = LayerRegistry.from_dir(self.settings().layers_dir)
        return self._registry


def context_of(ctx: click.Context) -> CliContext:
    """The :class:`CliContext` of the running command line."""
    return ctx.find_root().ensure_object(CliContext)


def settings_of(ctx: click.Context) -> Settings:
    """The settings of the running command line."""
    return context_of(ctx).settings()


def registry_of(ctx: click.Context) -> LayerRegistry:
    """The layer catalogue of the running command line."""
    return context_of(ctx).registry()


def ensure_database(settings: Settings, *, quiet: bool = False) -> str:
    """Start the private cluster unless a URL is configured, then check PostGIS and migrate."""
    if not settings.database_url:
        cluster = provision.up(settings.home)
        if not quiet:
            click.echo(f"private PostGIS running on 127.0.0.1:{cluster.port}", err=True)
    url = database_url(settings)
    with connection(url) as conn:
        check_postgis(conn)
        applied = migrations.migrate(conn)
    if applied and not quiet:
        click.echo(f"applied migrations: {', '.join(applied)}", err=True)
    return url
