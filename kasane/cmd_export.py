"""``kasane export``: files that any web server (or a CDN) can serve without Kasane behind it."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from gis.layerstore.access import visible_registry
from gis.layerstore.served_versions import read_state
from gis.ogc import pmtiles_export
from gis.platform.db import connection
from gis.platform.errors import BadRequest
from kasane.context import ensure_database, registry_of, settings_of


@click.group("export")
def export_group() -> None:
    """Export public layers as static files (see docs/disaster-day.md)."""


def _bbox(text: str | None) -> pmtiles_export.BBox | None:
    if text is None:
        return None
    parts = text.split(",")
    try:
        w, s, e, n = (float(p) for p in parts)
    except ValueError:
        raise BadRequest(
            f"--bbox {text!r}: give four numbers, minlon,minlat,maxlon,maxlat"
        ) from None
    if not (-180 <= w < e <= 180 and -90 <= s < n <= 90):
        raise BadRequest(f"--bbox {text!r}: need minlon < maxlon and minlat < maxlat, in degrees")
    return (w, s, e, n)


@export_group.command("pmtiles")
@click.argument("layers")
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.option("--minzoom", type=click.IntRange(0, 24), default=None, help="Default: the layers'.")
@click.option("--maxzoom", type=click.IntRange(0, 24), default=None, help="Default: the layers'.")
@click.option("--bbox", default=None, help="minlon,minlat,maxlon,maxlat (default: the data's).")
@click.option(
    "--compression",
    type=click.Choice(["gzip", "none"]),
    default="gzip",
    show_default=True,
    help="How tiles are stored (PMTiles clients decompress gzip themselves).",
)
@click.pass_context
def pmtiles_command(
    ctx: click.Context,
    layers: str,
    output: Path,
    minzoom: int | None,
    maxzoom: int | None,
    bbox: str | None,
    compression: str,
) -> None:
    """Write LAYER[,LAYER…] as a PMTiles v3 archive: the tiles /tiles/LAYERS/… serves."""
    settings = settings_of(ctx)
    ids = [i for i in layers.split(",") if i]
    if not ids or len(set(ids)) != len(ids):
        raise BadRequest("name one or more different layers, separated by commas")
    public = visible_registry(registry_of(ctx), None)  # only what anonymous visitors may see
    specs = [public.get(i) for i in ids]
    within = _bbox(bbox)
    url = ensure_database(settings, quiet=True)
    with connection(url) as conn:
        state = read_state(conn)
        missing = [s.id for s in specs if s.id not in state]
        if missing:
            raise BadRequest(f"layer {missing[0]!r} has no data loaded yet")
        chosen = [
            pmtiles_export.ExportLayer(s, state[s.id].version, state[s.id].bbox) for s in specs
        ]
        zooms = pmtiles_export.zoom_range(chosen, minzoom, maxzoom)
        bounds = pmtiles_export.union_bbox(chosen, within)
        total = pmtiles_export.count_tiles(bounds, *zooms)
        with click.progressbar(
            length=total,
            label=f"tiles of {','.join(ids)}",
            file=sys.stderr,
            hidden=not sys.stderr.isatty(),
        ) as bar:
            result = pmtiles_export.export(
                conn,
                chosen,
                output,
                min_zoom=zooms[0],
                max_zoom=zooms[1],
                bbox=within,
                feature_cap=settings.tile_feature_cap,
                compress=compression == "gzip",
                progress=bar.update,
            )
    click.echo(
        f"wrote {result.path}: zoom {result.min_zoom}-{result.max_zoom},"
        f" {result.written:,} tiles with features of {result.addressed:,}"
        f" ({result.unique:,} distinct), {result.size:,} bytes"
    )


@export_group.command("static")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option(
    "--watch", is_flag=True, help="Keep running: export again on every layer or status change."
)
@click.pass_context
def static_command(ctx: click.Context, directory: Path, watch: bool) -> None:
    """Write the residents' hazard map as a static site in DIRECTORY (a link to the newest
    edition, swapped in one step): serve it with any web server (docs/disaster-day.md)."""
    from webmap import close, create_app
    from webmap.residents.static_edition import edition
    from webmap.residents.static_edition import watch as watcher

    settings = settings_of(ctx)
    edition.check_target(directory)
    url = ensure_database(settings, quiet=True)
    # the edition draws its own basemap (municipal boundaries): nothing from another host
    app = create_app(settings.model_copy(update={"basemap": "local", "basemap_url": ""}))

    def report(result: edition.Result) -> None:
        fresh = ", ".join(result.layers_exported) or "none (shelter status, pages)"
        click.echo(
            f"exported {directory} -> {result.path.name} in {result.seconds:.1f} s;"
            f" layers exported: {fresh}; {result.tiles:,} tiles, {result.area_files:,} area files",
            err=True,
        )

    try:
        if watch:
            watcher.watch(app, url, directory, report=report)
        else:
            report(watcher.export_once(app, url, directory))
    finally:
        close(app)
