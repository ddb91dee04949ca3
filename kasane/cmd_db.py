"""``kasane db``: the private PostGIS cluster and schema migrations."""

from __future__ import annotations

from typing import Any

import click

from gis.platform import migrate as migrations
from gis.platform import provision, standby
from gis.platform.db import check_postgis, connection, database_url, redact
from gis.platform.errors import ConfigError
from kasane.context import ensure_database, settings_of


@click.group()
def db() -> None:
    """Manage the database: a private PostGIS cluster, or the one in KASANE_DATABASE_URL."""


@db.command()
@click.pass_context
def up(ctx: click.Context) -> None:
    """Create (first time) and start the private cluster under KASANE_HOME, then migrate.

    With KASANE_DATABASE_URL set, only checks that database and migrates it. Standbys made
    by `kasane db replica add` are started too.
    """
    settings = settings_of(ctx)
    url = ensure_database(settings)
    click.echo(f"database ready: {redact(url)}")
    cluster = None if settings.database_url else provision.read_cluster(settings.home)
    for item in standby.standbys(settings.home) if cluster else []:
        assert cluster is not None
        standby.start(cluster, item)
        click.echo(f"{item.name} streaming on port {item.port}")


@db.command()
@click.pass_context
def down(ctx: click.Context) -> None:
    """Stop the private cluster and its standbys (data is kept; `kasane db up` starts them)."""
    settings = settings_of(ctx)
    cluster = provision.read_cluster(settings.home)
    for item in standby.standbys(settings.home) if cluster else []:
        assert cluster is not None
        if standby.stop(cluster, item):
            click.echo(f"{item.name} stopped")
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


@db.group()
def replica() -> None:
    """Hot standbys of the private cluster (PostgreSQL streaming replication) for read replicas."""


@replica.command("add")
@click.pass_context
def replica_add(ctx: click.Context) -> None:
    """Copy the running private cluster into a new hot standby (pg_basebackup -R) and start it.

    Prints its URL: add it to KASANE_DATABASE_REPLICA_URLS so that reads go there.
    """
    settings = settings_of(ctx)
    if settings.database_url:
        raise ConfigError(
            "KASANE_DATABASE_URL is set: make standbys of that server with its own tools"
            " (pg_basebackup -R), then list them in KASANE_DATABASE_REPLICA_URLS"
        )
    made, url = standby.add(settings.home)
    click.echo(f"{made.name} streaming on port {made.port}: {redact(url)}")
    click.echo(f"KASANE_DATABASE_REPLICA_URLS={_all_urls(settings.home)}")


@replica.command("list")
@click.pass_context
def replica_list(ctx: click.Context) -> None:
    """The standbys of the private cluster, whether each runs, and their URLs."""
    home = settings_of(ctx).home
    cluster = provision.read_cluster(home)
    found = standby.standbys(home)
    if cluster is None or not found:
        click.echo("no standbys: `kasane db replica add` makes one")
        return
    for item in found:
        running = "running" if standby.is_running(cluster, item) else "stopped"
        click.echo(f"{item.name} port {item.port} {running}: {redact(item.url(cluster))}")
    click.echo(f"KASANE_DATABASE_REPLICA_URLS={_all_urls(home)}")


@replica.command("start")
@click.pass_context
def replica_start(ctx: click.Context) -> None:
    """Start every standby of the private cluster (after a reboot, say)."""
    home = settings_of(ctx).home
    cluster = provision.read_cluster(home)
    for item in standby.standbys(home) if cluster else []:
        assert cluster is not None
        standby.start(cluster, item)
        click.echo(f"{item.name} running on port {item.port}")


@replica.command("remove")
@click.argument("name")
@click.pass_context
def replica_remove(ctx: click.Context, name: str) -> None:
    """Stop the standby NAME and delete its copy of the data."""
    standby.remove(settings_of(ctx).home, name)
    click.echo(f"removed {name}")


def _all_urls(home: Any) -> str:
    cluster = provision.read_cluster(home)
    if cluster is None:
        return ""
    return ",".join(item.url(cluster) for item in standby.standbys(home))
