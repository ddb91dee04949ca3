"""``kasane transit``: publish transit-planning results as layers."""

from __future__ import annotations

import click

from gis.platform.db import connect, database_url
from gis.transit.request import (
    DEFAULT_BUS_RADIUS_M,
    DEFAULT_MIN_DEPARTURES,
    DEFAULT_RAIL_RADIUS_M,
    TransitRequest,
    parse_date,
    parse_lg_code,
)
from kasane.context import registry_of, settings_of


@click.group()
def transit() -> None:
    """Transit planning results published as map layers."""


@transit.command("blank-areas")
@click.option("--municipality", required=True, help="5- or 6-digit local-government code.")
@click.option("--date", "service_date", required=True, help="Service date, YYYY-MM-DD.")
@click.option("--bus-radius", type=float, default=DEFAULT_BUS_RADIUS_M, show_default=True)
@click.option("--rail-radius", type=float, default=DEFAULT_RAIL_RADIUS_M, show_default=True)
@click.option("--min-departures", type=int, default=DEFAULT_MIN_DEPARTURES, show_default=True)
@click.pass_context
def blank_areas(
    ctx: click.Context,
    municipality: str,
    service_date: str,
    bus_radius: float,
    rail_radius: float,
    min_departures: int,
) -> None:
    """Compute a municipality's transit-blank areas and publish them as the
    `transit_blank_areas` layer (tiles, items, downloads); other municipalities' rows stay."""
    from etl.derived_layers import publish_blank_areas

    request = TransitRequest(
        parse_lg_code(municipality),
        parse_date(service_date),
        bus_radius_m=bus_radius,
        rail_radius_m=rail_radius,
        min_departures=min_departures,
    )
    settings = settings_of(ctx)
    click.echo(publish_blank_areas(database_url(settings), registry_of(ctx), request))


@transit.command("feeds")
@click.pass_context
def feeds(ctx: click.Context) -> None:
    """List the stored GTFS feeds (demo = the bundled demo feeds)."""
    with connect(database_url(settings_of(ctx))) as conn:
        rows = conn.execute(
            "SELECT f.feed_id, f.demo, f.file_name, f.loaded_at, count(s.stop_id)"
            " FROM transit.feeds f LEFT JOIN transit.stops s USING (feed_id)"
            " GROUP BY f.feed_id ORDER BY f.feed_id"
        ).fetchall()
    if not rows:
        click.echo("no GTFS feed is stored (kasane load transit FEED.zip)")
    for feed_id, demo, file_name, loaded_at, stops in rows:
        origin = "demo" if demo else "    "
        click.echo(
            f"{feed_id:<24} {origin}  {loaded_at:%Y-%m-%d %H:%M}  {stops:>6} stops  {file_name}"
        )


@transit.command("remove-feed")
@click.argument("feed_ids", nargs=-1, required=True)
@click.pass_context
def remove_feed(ctx: click.Context, feed_ids: tuple[str, ...]) -> None:
    """Remove stored GTFS feeds; the transit layers are rebuilt from the others at once."""
    from etl.gtfs_load import remove_feeds

    with connect(database_url(settings_of(ctx)), autocommit=True) as conn, conn.transaction():
        removed = remove_feeds(conn, registry_of(ctx), list(feed_ids))
    for line in removed:
        click.echo(f"removed {line}; transit layers rebuilt")
