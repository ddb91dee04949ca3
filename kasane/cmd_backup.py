"""``kasane backup`` / ``kasane restore``: Kasane's schemas to a file and back."""

from __future__ import annotations

from pathlib import Path

import click

from gis.layerstore import readers
from gis.platform import backup as backups
from gis.platform.db import connection, database_url, redact
from gis.platform.errors import BadRequest
from kasane.context import registry_of, settings_of


@click.command("backup")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.pass_context
def backup_command(ctx: click.Context, file: Path) -> None:
    """Write the layers (every kept version), shelter statuses, users, tokens and audit log to
    FILE (pg_dump custom format; restore it with `kasane restore FILE`)."""
    url = database_url(settings_of(ctx))
    size = backups.backup(url, file)
    click.echo(f"backed up {redact(url)} to {file} ({size / 1e6:.1f} MB)")


@click.command("restore")
@click.argument("file", type=click.Path(dir_okay=False, path_type=Path))
@click.option(
    "--force",
    is_flag=True,
    help="Replace a database that already has served layers or users.",
)
@click.pass_context
def restore_command(ctx: click.Context, file: Path, force: bool) -> None:
    """Replace Kasane's data in the database by the backup FILE, then migrate it to this
    version of Kasane. Restart `kasane serve` afterwards."""
    url = database_url(settings_of(ctx))
    backups.check_file(file)
    if not force and backups.has_kasane_data(url):
        raise BadRequest(
            f"{redact(url)} already has served layers or users; restoring would replace them",
            hint="add --force to replace them, or restore into an empty database",
        )
    applied = backups.restore(url, file)
    with connection(url) as conn:
        readers.grant_all(conn, {spec.id for spec in registry_of(ctx) if spec.public})
        layers = conn.execute("SELECT count(*) FROM kasane.layer_current").fetchone()
        users = conn.execute("SELECT count(*) FROM kasane.users").fetchone()
    click.echo(
        f"restored {file} into {redact(url)}: {layers[0] if layers else 0} served layers,"
        f" {users[0] if users else 0} users"
    )
    if applied:
        click.echo(f"upgraded the restored schema: {', '.join(applied)}")
