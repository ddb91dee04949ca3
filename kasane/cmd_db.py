"""``kasane db``: the private PostGIS cluster and schema migrations."""

from __future__ import annotations

from typing import Any

import click

from gis.platform import migrate as migrations
from gis.platform import provision
from gis.platform.db import check_postgis, connection, database_url, redact
from kasane.context import ensure_database, settings_of


@click.group()
def db() -> None:
    """Manage the database: a private PostGIS cluster, or the one in KASANE_DATABASE_URL."""


@db.command()
@click.pass_context
def up(ctx: click.Context) -> None:
    """Create (first time) and start the private cluster under KASANE_HOME, then migrate.

    With KASANE_DATABASE_URL set, only checks that database and migrates it.
    """
    url = ensure_database(settings_of(ctx))
    click.echo(f"database ready: {redact(url)}")


@db.command()
@click.pass_context
def down(ctx: click.Context) -> None:
    """Stop the private cluster (data is kept; `kasane db up` starts it again)."""
    settings = settings_of(ctx)
    stopped = provision.down(settings.home)
    click.echo("stopped" if stopped else "not running")


@db.command()
@click.pass_context
def status(ctx: click.Context) -> None:
    """Show where the database is, whether it runs, and pending migrations."""
    settings = settings_of(ctx)
    info: dict[str, Any] = {}
    if settings.database_url:
        info["database"] = redact(settings.database_url) + " (KASANE_DATABASE_URL)"
    else:
        cluster = provision.read_cluster(settings.home)
        if cluster is None:
            click.echo("no private cluster yet: run `kasane db up`")
            raise SystemExit(1)
        info["database"] = redact(cluster.url)
        info["data directory"] = cluster.data_dir
        info["running"] = "yes" if provision.is_running(cluster) else "no"
        if info["running"] == "no":
            for key, value in info.items():
                click.echo(f"{key}: {value}")
            raise SystemExit(1)
    with connection(database_url(settings)) as conn:
        info["postgis"] = check_postgis(conn)
        info["pending migrations"] = ", ".join(migrations.pending(conn)) or "none"
    for key, value in info.items():
        click.echo(f"{key}: {value}")


@db.command()
@click.pass_context
def migrate(ctx: click.Context) -> None:
    """Apply pending schema migrations (safe to re-run)."""
    with connection(database_url(settings_of(ctx))) as conn:
        check_postgis(conn)
        applied = migrations.migrate(conn)
    click.echo(f"applied: {', '.join(applied)}" if applied else "schema is up to date")


@db.command()
@click.pass_context
def url(ctx: click.Context) -> None:
    """Print the database URL (with password: keep it to yourself)."""
    click.echo(database_url(settings_of(ctx)))
