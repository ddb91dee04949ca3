"""``kasane transit``: publish transit-planning results as layers."""

from __future__ import annotations

import click

from gis.platform.db import database_url
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
