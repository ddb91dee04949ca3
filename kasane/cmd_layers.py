"""``kasane layers``: the catalogue, versions and rollback."""

from __future__ import annotations

import click

from gis.layerstore import loaded_layers as catalog
from gis.layerstore import storage
from gis.platform.db import connect, database_url
from gis.platform.errors import KasaneError
from gis.transit import derived
from kasane.cmd_parts import (
    acting_user,
    as_user_options,
    rollback_part,
    show_part_history,
    show_parts,
)
from kasane.context import registry_of, settings_of


@click.group()
def layers() -> None:
    """Inspect the layer catalogue and manage layer versions."""


@layers.command("validate")
@click.pass_context
def validate(ctx: click.Context) -> None:
    """Check every layer file in KASANE_LAYERS_DIR without touching the database."""
    registry = registry_of(ctx)
    click.echo(f"{len(registry)} layer files are valid")


@layers.command("list")
@click.pass_context
def list_layers(ctx: click.Context) -> None:
    """List declared layers with their served version and feature count."""
    registry = registry_of(ctx)
    with connect(database_url(settings_of(ctx))) as conn:
        status = catalog.layer_status(conn)
    click.echo(f"{'layer':<20} {'kind':<16} {'geometry':<16} {'version':>7} {'features':>9}  title")
    for spec in registry:
        state = status.get(spec.id, {})
        version = state.get("version", "-")
        count = state.get("rows_loaded", "-")
        access = "" if spec.public else " [restricted]"
        click.echo(
            f"{spec.id:<20} {spec.kind.value:<16} {spec.geometry.value:<16} {version!s:>7}"
            f" {count!s:>9}  {spec.title.ja} / {spec.title.en}{access}"
        )


@layers.command("parts")
@click.argument("layer")
@click.pass_context
def parts_command(ctx: click.Context, layer: str) -> None:
    """Who publishes what in the shared LAYER: each municipality's part and who has none."""
    settings = settings_of(ctx)
    show_parts(database_url(settings), registry_of(ctx).get(layer), settings.part_max_age_days)


@layers.command()
@click.argument("layer")
@click.option("--part", metavar="CODE", help="Shared layer: the versions of this part.")
@click.pass_context
def history(ctx: click.Context, layer: str, part: str | None) -> None:
    """Show every version of LAYER, newest first (* = served, demo = the bundled demo data)."""
    spec = registry_of(ctx).get(layer)
    if part is not None:
        show_part_history(database_url(settings_of(ctx)), spec, part)
        return
    with connect(database_url(settings_of(ctx))) as conn:
        versions = storage.history(conn, spec.id)
    if not versions:
        click.echo(f"{spec.id}: nothing loaded yet")
        return
    for v in versions:
        mark = "*" if v.current else " "
        gone = "" if v.available else " (pruned)"
        origin = "demo" if v.demo else "    "
        click.echo(
            f"{mark} v{v.version:<4} {v.loaded_at:%Y-%m-%d %H:%M:%S}  {origin}"
            f"  loaded {v.rows_loaded:>8}  rejected {v.rows_rejected:>6}"
            f"  {', '.join(v.files)}{gone}"
        )


@layers.command()
@click.argument("layer")
@click.argument("version", type=int, required=False)
@click.option("--part", metavar="CODE", help="Shared layer: roll back only this part.")
@as_user_options
@click.pass_context
def rollback(
    ctx: click.Context,
    layer: str,
    version: int | None,
    part: str | None,
    as_user: str | None,
    token: str | None,
) -> None:
    """Serve an earlier VERSION of LAYER (or of its --part) again (default: the one before)."""
    spec = registry_of(ctx).get(layer)
    if spec.id in derived.DERIVED_LAYERS:
        raise KasaneError(
            f"{spec.id} is derived from the stored GTFS feeds and always shows them: change"
            " the feeds instead (kasane load transit FEED.zip, kasane transit remove-feed)"
        )
    if part is not None:
        url = database_url(settings_of(ctx))
        rollback_part(url, spec, part, version, acting_user(url, as_user, token))
        return
    with connect(database_url(settings_of(ctx)), autocommit=True) as conn, conn.transaction():
        served = storage.rollback(conn, spec.id, version, public=spec.public)
    click.echo(f"{spec.id}: now serving version {served}")


@layers.command()
@click.pass_context
def check(ctx: click.Context) -> None:
    """Check that every derived layer agrees with its sources (exit status 1 if not)."""
    registry = registry_of(ctx)
    declared = tuple(layer for layer in derived.DERIVED_LAYERS if layer in registry)
    with connect(database_url(settings_of(ctx))) as conn:
        problems = derived.check_derived(conn, declared)
    for problem in problems:
        click.echo(f"disagrees: {problem}")
    if problems:
        raise KasaneError(
            f"{len(problems)} derived layers disagree with their sources; load the feeds"
            " again (kasane load transit --force FEED.zip) to rebuild them"
        )
    click.echo(f"{len(declared)} derived layers agree with their sources")
