"""``kasane users``: organisations' users and their API tokens."""

from __future__ import annotations

import click

from gis.platform import auth, passwords
from gis.platform.db import connection, database_url
from kasane.context import settings_of


@click.group()
def users() -> None:
    """Manage the users who may change data through the API (e.g. shelter status)."""


@users.command("add")
@click.argument("name")
@click.option("--org", "org", required=True, help="6-digit local-government code, e.g. 352039.")
@click.option(
    "--role",
    type=click.Choice([r.value for r in auth.Role]),
    default=auth.Role.EDITOR.value,
    show_default=True,
    help="admin, editor or viewer.",
)
@click.option("--org-name", default=None, help="Name of the organisation, when it is new.")
@click.option(
    "--password",
    "ask_password",
    is_flag=True,
    help="Also ask for a password (typed twice, never echoed) to sign in to /staff.",
)
@click.pass_context
def add(
    ctx: click.Context, name: str, org: str, role: str, org_name: str | None, ask_password: bool
) -> None:
    """Add user NAME to organisation --org and print their API token (shown only once)."""
    secret = _ask_password(name) if ask_password else None
    with connection(database_url(settings_of(ctx))) as conn:
        token = auth.add_user(conn, name, org, auth.Role(role), org_name=org_name)
        if secret is not None:
            passwords.set_password_by_name(conn, name, secret)
    click.echo(f"added {name} ({role} of {auth.parse_org_code(org)}); API token (shown once):")
    click.echo(token)


@users.command("list")
@click.option("--all", "include_revoked", is_flag=True, help="Include revoked users.")
@click.pass_context
def list_users(ctx: click.Context, include_revoked: bool) -> None:
    """List users with their organisation, role and number of active tokens."""
    with connection(database_url(settings_of(ctx))) as conn:
        found = auth.list_users(conn, include_revoked=include_revoked)
    if not found:
        click.echo("no users yet: add one with `kasane users add NAME --org CODE --role ROLE`")
        return
    click.echo(f"{'name':<20} {'org':<7} {'role':<7} {'tokens':>6}  created           organisation")
    for u in found:
        revoked = f"  [revoked {u.revoked_at:%Y-%m-%d}]" if u.revoked_at else ""
        click.echo(
            f"{u.name:<20} {u.org_code:<7} {u.role.value:<7} {u.active_tokens:>6}"
            f"  {u.created_at:%Y-%m-%d %H:%M}  {u.org_name}{revoked}"
        )


@users.command("revoke")
@click.argument("name")
@click.pass_context
def revoke(ctx: click.Context, name: str) -> None:
    """Revoke user NAME and every token of theirs (their past changes stay in the history)."""
    with connection(database_url(settings_of(ctx))) as conn:
        auth.revoke_user(conn, name)
    click.echo(f"revoked {name}")


def _ask_password(name: str) -> str:
    secret: str = click.prompt("password", hide_input=True, confirmation_prompt=True)
    passwords.check_password_rules(secret, name)  # before anything is written
    return secret


@users.command("password")
@click.argument("name")
@click.pass_context
def set_password(ctx: click.Context, name: str) -> None:
    """Set (or reset) the /staff sign-in password of user NAME (asked twice, never echoed)."""
    secret = _ask_password(name)
    with connection(database_url(settings_of(ctx))) as conn:
        passwords.set_password_by_name(conn, name, secret)
    click.echo(f"password of {name} set")
