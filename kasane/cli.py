"""``kasane`` — manage the database, load layers and serve the map.

Every failure a person can fix is printed as one line (``kasane: error: …``) with a non-zero
exit code; tracebacks are kept for real bugs (and for ``KASANE_DEBUG=1``).
"""

from __future__ import annotations

import gc
import os
import sys
from typing import Any

import click
import psycopg

from gis.platform.errors import KasaneError
from kasane import (
    cmd_basemap,
    cmd_db,
    cmd_export,
    cmd_layer_files,
    cmd_layers,
    cmd_load,
    cmd_serve,
    cmd_transit,
    cmd_users,
)
from kasane.cmd_audit import audit_command
from kasane.cmd_backup import backup_command, restore_command
from kasane.cmd_init import check_command, init_command
from kasane.cmd_reader import reader
from kasane.context import CliContext


class FriendlyGroup(click.Group):
    """A click group that turns Kasane's errors into one clear line."""

    def invoke(self, ctx: click.Context) -> Any:
        """Run the subcommand, reporting known errors without a traceback."""
        try:
            return super().invoke(ctx)
        except KasaneError as exc:
            _fail(str(exc))
        except psycopg.Error as exc:
            _fail(f"database error: {str(exc).strip().splitlines()[0]}")
        except (ValueError, OSError) as exc:
            if os.environ.get("KASANE_DEBUG"):
                raise
            _fail(str(exc))


def _fail(message: str) -> None:
    click.echo(f"kasane: error: {message}", err=True)
    sys.exit(1)


@click.group(cls=FriendlyGroup, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="kasane")
@click.pass_context
def main(ctx: click.Context) -> None:
    """Kasane (重ね): a shared prefecture GIS on PostGIS.

    Settings come from KASANE_* environment variables (see the README). Without
    KASANE_DATABASE_URL, Kasane uses a private PostGIS cluster made by `kasane db up`.
    """
    ctx.ensure_object(CliContext)
    if not gc.isenabled() and ctx.invoked_subcommand != "load":  # see kasane.entry
        gc.freeze()
        gc.enable()


main.add_command(cmd_db.db)
main.add_command(cmd_layers.layers)
for _command in (cmd_layer_files.draft_command, cmd_layer_files.new_command,
                 cmd_layer_files.templates_command, cmd_layer_files.reload_command):  # fmt: skip
    cmd_layers.layers.add_command(_command)
main.add_command(cmd_serve.serve)
main.add_command(cmd_serve.demo)
main.add_command(cmd_users.users)
main.add_command(cmd_load.load_command)
main.add_command(audit_command)
main.add_command(cmd_transit.transit)
main.add_command(cmd_basemap.basemap_group)
main.add_command(cmd_export.export_group)
main.add_command(backup_command)
main.add_command(restore_command)
main.add_command(init_command)
main.add_command(check_command)
cmd_db.db.add_command(reader)
