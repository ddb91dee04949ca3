"""``kasane basemap``: import the basemap archive that Kasane serves itself (closed networks)."""

from __future__ import annotations

from pathlib import Path

import click

from gis.platform import basemap
from kasane.context import settings_of


@click.group("basemap")
def basemap_group() -> None:
    """The basemap drawn under every map (see docs/map.md)."""


@basemap_group.command("import")
@click.argument("file", type=click.Path(path_type=Path))
@click.option(
    "--attribution",
    default=None,
    help="Credit shown with the basemap (HTML) when the archive's metadata lacks a right one.",
)
@click.pass_context
def import_command(ctx: click.Context, file: Path, attribution: str | None) -> None:
    """Import FILE (PMTiles or MBTiles, vector or raster) as the basemap, replacing any other."""
    info = basemap.import_archive(file, settings_of(ctx).home, attribution)
    click.echo(
        f"imported {info.source}: {info.tile_type} tiles, zoom {info.min_zoom}-{info.max_zoom},"
        f" {info.size:,} bytes; maps use it when KASANE_BASEMAP is auto or archive"
    )
    if not info.attribution:
        click.echo("warning: the archive names no attribution; pass --attribution", err=True)


@basemap_group.command("show")
@click.pass_context
def show(ctx: click.Context) -> None:
    """Say which basemap archive is imported."""
    settings = settings_of(ctx)
    info = basemap.current(settings.home)
    if info is None:
        click.echo(f"no archive imported; KASANE_BASEMAP={settings.basemap}")
        return
    click.echo(
        f"{info.source}: {info.tile_type}, zoom {info.min_zoom}-{info.max_zoom},"
        f" bounds {info.bounds}, {info.size:,} bytes; KASANE_BASEMAP={settings.basemap}"
    )


@basemap_group.command("remove")
@click.pass_context
def remove(ctx: click.Context) -> None:
    """Remove the imported archive (maps fall back to the online or local basemap)."""
    found = basemap.remove(settings_of(ctx).home)
    click.echo("removed the basemap archive" if found else "no archive was imported")
