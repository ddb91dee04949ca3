"""``kasane db reader``: read-only PostgreSQL roles for analysts (QGIS, R, psql)."""

from __future__ import annotations

import click
from psycopg.conninfo import conninfo_to_dict, make_conninfo

from gis.layerstore import readers
from gis.platform.db import connection, database_url
from kasane.context import registry_of, settings_of


@click.group("reader")
def reader() -> None:
    """Read-only database roles that see the served layer views and nothing else."""


def _reader_url(admin_url: str, name: str, password: str) -> str:
    parts = conninfo_to_dict(admin_url)
    host, port, dbname = parts.get("host", "localhost"), parts.get("port", 5432), parts["dbname"]
    if "://" in admin_url:
        return f"postgresql://{name}:{password}@{host}:{port}/{dbname}"
    return make_conninfo(admin_url, user=name, password=password)


@reader.command("add")
@click.argument("name")
@click.pass_context
def add(ctx: click.Context, name: str) -> None:
    """Create read-only role NAME (or give it a new password) and print its URL (shown once)."""
    url = database_url(settings_of(ctx))
    with connection(url) as conn:
        public = {spec.id for spec in registry_of(ctx) if spec.public}
        password = readers.add(conn, name, public)
    click.echo(f"reader {name} may read the served layers (schema layer_data); URL (shown once):")
    click.echo(_reader_url(url, name, password))


@reader.command("list")
@click.pass_context
def list_readers(ctx: click.Context) -> None:
    """List the read-only roles of this database."""
    with connection(database_url(settings_of(ctx))) as conn:
        names = readers.readers(conn)
    click.echo("\n".join(names) if names else "no readers: add one with `kasane db reader add`")


@reader.command("remove")
@click.argument("name")
@click.pass_context
def remove(ctx: click.Context, name: str) -> None:
    """Remove read-only role NAME (its sessions end at their next connection)."""
    with connection(database_url(settings_of(ctx))) as conn:
        removed = readers.remove(conn, name)
    click.echo(f"removed reader {name}" if removed else f"{name} is not a reader here")
