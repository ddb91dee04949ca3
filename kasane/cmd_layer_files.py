"""``kasane layers draft | new | templates | reload``: new layers from files and templates,
picked up by running servers without a restart."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import click

from etl.draft import TEMPLATES_DIR, check, draft
from etl.load_options import LoadOptions
from gis.geo.prefectures import prefecture
from gis.layerstore.layer_files import LAYER_FILES_CHANNEL, reread
from gis.layerstore.layerspec import IDENTIFIER
from gis.layerstore.registry import LayerRegistry, load_layer_file
from gis.platform.db import connect, database_url
from gis.platform.errors import BadRequest, KasaneError, LayerSpecError
from kasane.context import settings_of


def _layer_id(value: str) -> str:
    if not IDENTIFIER.match(value):
        raise BadRequest(f"--id {value!r}: lower-case letters, digits and _, start with a letter")
    return value


def _target(ctx: click.Context, layer_id: str, output: str | None) -> Path | None:
    """Where to write: ``-o PATH``, standard output for ``-o -``, else the layers directory."""
    if output == "-":
        return None
    path = Path(output) if output else settings_of(ctx).layers_dir / f"{layer_id}.toml"
    return path


def _write(path: Path | None, text: str, force: bool) -> None:
    if path is None:
        sys.stdout.write(text)
        return
    if path.exists() and not force:
        raise BadRequest(f"{path} exists", hint="give --force to replace it, or -o elsewhere")
    path.write_text(text, encoding="utf-8")
    click.echo(f"wrote {path}", err=True)


def _owner(ctx: click.Context, owner: str | None) -> str:
    """``--owner``, else the prefecture of ``KASANE_PREFECTURE``, else the owner most layer
    files name."""
    if owner:
        return owner
    settings = settings_of(ctx)
    if settings.prefecture:
        return prefecture(settings.prefecture).lg_code
    try:
        owners = [s.owner for s in LayerRegistry.from_dir(settings.layers_dir)]
    except LayerSpecError:
        owners = []
    if not owners:
        raise KasaneError("no owner: give --owner (6-digit code) or set KASANE_PREFECTURE")
    return max(set(owners), key=owners.count)


@click.command("draft")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--id", "layer_id", required=True, help="Id of the new layer (its file name).")
@click.option(
    "-o", "--output", help="Write here instead of KASANE_LAYERS_DIR/ID.toml; - for stdout."
)
@click.option("--owner", help="6-digit code of the responsible organisation (default: detected).")
@click.option("--encoding", help="Text encoding of a CSV (default: detected).")
@click.option("--sheet", help="Sheet of an Excel workbook (default: the first with data).")
@click.option("--crs", help="CRS of a file that does not say (as for `kasane load --crs`).")
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_context
def draft_command(
    ctx: click.Context,
    paths: tuple[Path, ...],
    layer_id: str,
    output: str | None,
    owner: str | None,
    encoding: str | None,
    sheet: str | None,
    crs: str | None,
    force: bool,
) -> None:
    """Draft a layer file from data files: fields with inferred types and the columns as
    source aliases, the geometry source, encoding and CRS detected, and what is undecided."""
    layer_id = _layer_id(layer_id)
    options = LoadOptions(encoding=encoding, crs=crs, sheet=sheet)
    result = draft(list(paths), layer_id, _owner(ctx, owner), options, _templates(ctx))
    check(result.text, layer_id)  # a draft that does not validate is a bug, not the user's
    _write(_target(ctx, layer_id, output), result.text, force)
    click.echo(f"geometry from: {result.geometry_source}", err=True)
    for item in result.undecided:
        click.echo(f"undecided: {item}", err=True)


def _templates(ctx: click.Context) -> Path:
    """``KASANE_LAYERS_DIR/templates`` when it exists (an installed instance, made by
    ``kasane init``), else the checkout's ``layers/templates``."""
    own = settings_of(ctx).layers_dir / "templates"
    return own if own.is_dir() else TEMPLATES_DIR


@click.command("templates")
@click.pass_context
def templates_command(ctx: click.Context) -> None:
    """List the recommended-dataset templates `kasane layers new --template` copies."""
    for path in sorted(_templates(ctx).glob("*.toml")):
        spec = load_layer_file(path, check_stem=False)
        click.echo(f"{path.stem:<22} {spec.kind.value:<9} {spec.title.ja} / {spec.title.en}")


@click.command("new")
@click.argument("layer_id")
@click.option(
    "--template", "template", required=True, help="A template (`kasane layers templates`)."
)
@click.option("--owner", help="6-digit code of the responsible organisation.")
@click.option(
    "-o", "--output", help="Write here instead of KASANE_LAYERS_DIR/ID.toml; - for stdout."
)
@click.option("--force", is_flag=True, help="Replace an existing file.")
@click.pass_context
def new_command(
    ctx: click.Context,
    layer_id: str,
    template: str,
    owner: str | None,
    output: str | None,
    force: bool,
) -> None:
    """Write layer LAYER_ID from a recommended-dataset template: a file in the standard
    format then loads with `kasane load LAYER_ID FILE`, unedited."""
    layer_id = _layer_id(layer_id)
    source = _templates(ctx) / f"{template}.toml"
    if not source.is_file():
        known = ", ".join(p.stem for p in sorted(_templates(ctx).glob("*.toml")))
        raise BadRequest(f"no template {template!r}", hint=f"templates: {known}")
    text = source.read_text(encoding="utf-8")
    text = re.sub(r'(?m)^id = ".*"$', f'id = "{layer_id}"', text, count=1)
    text = re.sub(r'(?m)^owner = ".*"$', f'owner = "{_owner(ctx, owner)}"', text, count=1)
    check(text, layer_id)
    _write(_target(ctx, layer_id, output), text, force)


@click.command("reload")
@click.pass_context
def reload_command(ctx: click.Context) -> None:
    """Check every layer file, then tell running servers to read them again (each process
    also notices changed files by itself within seconds). A broken file is refused with its
    file, key and reason; servers keep its previous definition and every other layer."""
    settings = settings_of(ctx)
    registry, errors = reread(settings.layers_dir, LayerRegistry([]))
    for error in errors:
        click.echo(f"refused: {error}", err=True)
    with connect(database_url(settings), autocommit=True) as conn:
        conn.execute(f"NOTIFY {LAYER_FILES_CHANNEL}")
    click.echo(f"{len(registry)} layer files valid, {len(errors)} refused; servers notified")
    if errors:
        ctx.exit(1)
