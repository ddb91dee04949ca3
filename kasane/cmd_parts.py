"""Shared layers on the command line: who acts (``--as``/``--token``), and the parts of a layer:
``kasane layers parts``, ``kasane layers history --part`` and ``kasane layers rollback --part``.
"""

from __future__ import annotations

import getpass
from collections.abc import Callable
from typing import Any, TypeVar

import click

from gis.layerstore import parts
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.part_access import require_publish, unknown_part
from gis.layerstore.part_status import layer_parts
from gis.platform import audit, auth
from gis.platform.db import connect, connection
from gis.platform.errors import BadRequest

F = TypeVar("F", bound=Callable[..., Any])


def as_user_options(command: F) -> F:
    """``--as NAME`` and ``--token`` (or ``KASANE_TOKEN``): act as a Kasane user, whose rights
    are checked as the upload API checks them."""
    command = click.option(
        "--token", envvar="KASANE_TOKEN", help="Act as the user holding this API token."
    )(command)
    return click.option(
        "--as", "as_user", metavar="NAME", help="Act as this Kasane user (kasane users list)."
    )(command)


def acting_user(url: str, name: str | None, token: str | None) -> auth.Principal | None:
    """The user given by ``--as`` or ``--token``; None when neither is given."""
    if name is None and token is None:
        return None
    with connection(url) as conn:
        return auth.principal_named(conn, name) if name else auth.authenticate(conn, token)


def show_parts(url: str, spec: LayerSpec, max_age_days: int) -> None:
    """Print each part of a shared layer and the municipalities that have none."""
    if not spec.parts:
        raise BadRequest(f"layer {spec.id!r} is not shared: it declares no parts")
    with connect(url) as conn:
        state = layer_parts(conn, spec, max_age_days)
    if not state.parts:
        click.echo(f"{spec.id}: no part published yet")
    for p in state.parts:
        stale = f"  STALE (older than {max_age_days} days)" if p.stale else ""
        click.echo(
            f"{p.code} {p.name:<8} v{p.version:<3} {p.features:>8} features"
            f"  {p.loaded_at:%Y-%m-%d %H:%M}  by {p.loaded_by}  {', '.join(p.files)}{stale}"
        )
    if not state.names_known:
        click.echo("municipalities with no part: unknown (admin_boundaries is not loaded)")
    elif state.missing:
        names = ", ".join(f"{code} {name}" for code, name in state.missing)
        click.echo(f"no part yet ({len(state.missing)}): {names}")


def show_part_history(url: str, spec: LayerSpec, code: str) -> None:
    """Print every version of one part, newest first (* = served)."""
    with connect(url) as conn:
        versions = parts.part_history(conn, spec.id, code)
    if not versions:
        raise unknown_part(spec, code)
    for v in versions:
        mark = "*" if v.current else " "
        gone = "" if v.available else " (pruned)"
        click.echo(
            f"{mark} {code} v{v.version:<4} {v.loaded_at:%Y-%m-%d %H:%M:%S}  loaded"
            f" {v.rows_loaded:>8}  rejected {v.rows_rejected:>6}  by {v.loaded_by}"
            f"  {', '.join(v.files)}{gone}"
        )


def rollback_part(
    url: str, spec: LayerSpec, code: str, version: int | None, who: auth.Principal | None
) -> None:
    """Serve an earlier version of one part; the other parts stay as they are."""
    if not spec.parts:
        raise BadRequest(f"layer {spec.id!r} is not shared: it declares no parts")
    if who is not None:
        require_publish(who, spec, code)
    actor: auth.Principal | str = who or f"cli:{getpass.getuser()}"
    name = actor.name if isinstance(actor, auth.Principal) else actor
    with connect(url, autocommit=True) as conn, conn.transaction():
        before = parts.composition(conn, spec.id).get(code)
        served, layer_version = parts.rollback_part(conn, spec, code, version, name)
        audit.record(conn, actor, "layer.rollback", f"layers/{spec.id}/parts/{code}",
                     before={"version": before}, after={"version": served})  # fmt: skip
    click.echo(f"{spec.id}: part {code} now serves its version {served} (layer v{layer_version})")
