"""``kasane audit``: read the append-only log of every write."""

from __future__ import annotations

import json
from datetime import datetime

import click

from gis.platform import audit, auth
from gis.platform.db import connection, database_url
from kasane.context import settings_of


def _short(value: object) -> str:
    return "-" if value is None else json.dumps(value, ensure_ascii=False)[:80]


@click.command("audit")
@click.option("--limit", type=int, default=50, show_default=True, help="Newest N entries.")
@click.option("--org", default=None, help="Only this organisation (6-digit code).")
@click.option("--action", default=None, help="Only actions starting with this, e.g. layer.")
@click.option("--since", type=click.DateTime(), default=None, help="Only entries from then on.")
@click.option("--json", "as_json", is_flag=True, help="One JSON object per line, in full.")
@click.pass_context
def audit_command(
    ctx: click.Context,
    limit: int,
    org: str | None,
    action: str | None,
    since: datetime | None,
    as_json: bool,
) -> None:
    """Show who changed what and when (uploads, loads, shelter status, transit drafts)."""
    code = auth.parse_org_code(org) if org else None
    with connection(database_url(settings_of(ctx))) as conn:
        found = audit.entries(conn, limit=limit, org=code, action=action, since=since)
    if as_json:
        for entry in found:
            click.echo(json.dumps(entry.to_json(), ensure_ascii=False, default=str))
        return
    if not found:
        click.echo("no audit entries")
        return
    for e in found:
        click.echo(
            f"{e.at:%Y-%m-%d %H:%M:%S} {e.actor:<20} {e.org_code or '-':<7} {e.action:<22}"
            f" {e.target}  before={_short(e.before)} after={_short(e.after)}"
        )
