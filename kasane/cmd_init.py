"""``kasane init DIR``: a production instance for one prefecture, and ``kasane check``.

``init`` writes the instance directory (settings, the layer files for the prefecture, the
browser libraries, examples for systemd, nginx and logrotate), then creates or migrates the
database. ``check`` is the health check an operator (or a monitoring job) runs afterwards.
"""

from __future__ import annotations

import json
import shutil
import sys
import urllib.error
import urllib.request
from pathlib import Path

import click

from gis.geo.crs import jgd2011_zone_epsg, zone_for_prefecture
from gis.geo.prefectures import prefecture
from gis.layerstore.registry import LayerRegistry
from gis.platform import migrate as migrations
from gis.platform.db import check_postgis, connection, database_url, redact
from gis.platform.errors import KasaneError
from gis.platform.settings import PROJECT_ROOT, load_settings
from kasane import instance_files as files
from kasane.context import ensure_database, settings_of


def _source_dir(source: Path | None) -> Path:
    """Where the layer files and npm packages come from: ``--source``, else the current
    directory (an unpacked bundle or checkout), else the checkout this Kasane runs from."""
    for candidate in (source, Path.cwd(), PROJECT_ROOT):
        if candidate is not None and (candidate / "layers").is_dir():
            return candidate.resolve()
    raise KasaneError(
        "no layers/ folder found: run `kasane init` in the unpacked bundle or checkout,"
        " or give --source DIR"
    )


def _program() -> Path:
    beside = Path(sys.executable).parent / "kasane"
    found = shutil.which("kasane")
    return beside if beside.exists() else Path(found or "kasane").resolve()


@click.command("init")
@click.argument("directory", type=click.Path(path_type=Path))
@click.option("--prefecture", "pref_code", help="Two-digit prefecture code, e.g. 33 (岡山県).")
@click.option("--database-url", help="PostgreSQL URL (default: KASANE_DATABASE_URL, else a"
              " private cluster under DIRECTORY/data).")  # fmt: skip
@click.option("--source", type=click.Path(path_type=Path, file_okay=False),
              help="Bundle or checkout holding layers/ and node_modules/.")  # fmt: skip
@click.option("--server-name", default="gis.example.lg.jp", show_default=True,
              help="Host name in the nginx example.")  # fmt: skip
@click.option("--user", default="kasane", show_default=True, help="System account of the service.")
@click.option("--port", type=int, default=8000, show_default=True, help="Loopback port.")
@click.option("--targets", default="", help="Dead-zone plan as YEAR:DISTRICTS,… (default: none).")
@click.option("--log-dir", type=click.Path(path_type=Path), default=Path("/var/log/kasane"),
              show_default=True)  # fmt: skip
@click.option("--backup-dir", type=click.Path(path_type=Path),
              default=Path("/var/backups/kasane"), show_default=True)  # fmt: skip
@click.option("--force", is_flag=True, help="Overwrite an existing instance's files.")
@click.pass_context
def init_command(
    ctx: click.Context, directory: Path, pref_code: str | None, database_url: str | None,
    source: Path | None, server_name: str, user: str, port: int, targets: str, log_dir: Path,
    backup_dir: Path, force: bool,
) -> None:  # fmt: skip
    """Set up a production instance in DIRECTORY and create or migrate its database."""
    pref = prefecture(pref_code) if pref_code else None
    root = directory.resolve()
    if (root / "kasane.env").exists() and not force:
        raise KasaneError(f"{root} already holds an instance: add --force to write it again")
    origin = _source_dir(source)
    env = settings_of(ctx)
    url = database_url or env.database_url
    values = {
        "home": str(root / "data"), "layers_dir": str(root / "layers"),
        "node_modules": str(root / "node_modules"), "prefecture": pref.code if pref else "",
        "deadzone_targets": targets, "host": "127.0.0.1", "port": str(port),
        "proxy_hops": "1", "cookie_secure": "true", "log_level": "INFO",
    }  # fmt: skip
    if url:
        values["database_url"] = url
    settings = load_settings(**values)  # validates every value before anything is written
    ids = files.copy_layer_files(origin / "layers", root / "layers", pref)
    LayerRegistry.from_dir(root / "layers")  # the copied files must still be valid
    from webmap.vendor import ALLOWED

    files.copy_browser_libraries(origin / "node_modules", root / "node_modules", tuple(ALLOWED))
    (root / "data").mkdir(parents=True, exist_ok=True)
    env_file = root / "kasane.env"
    env_file.write_text(files.env_text(values), encoding="utf-8")
    env_file.chmod(0o600)  # may hold the database password
    inst = files.Instance(root, _program(), user, port, server_name, log_dir, backup_dir,
                          settings.upload_max_bytes // (1024 * 1024) + 1)  # fmt: skip
    for name, text in files.deploy_files(inst).items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text, encoding="utf-8")
    (root / "bin" / "kasane").chmod(0o755)
    final_url = ensure_database(settings)
    click.echo(f"instance: {root}")
    if pref:
        zone = zone_for_prefecture(pref.code)
        click.echo(f"prefecture: {pref.code} {pref.ja} ({pref.en}), owner {pref.lg_code},"
                   f" plane-rectangular zone {zone} (EPSG:{jgd2011_zone_epsg(zone)})")  # fmt: skip
    click.echo(f"layer files: {len(ids)} ({', '.join(ids)})")
    click.echo(f"database ready: {redact(final_url)}")
    click.echo(f"next: read {root / 'deploy'} and docs/install.md; load data with"
               f" {root / 'bin' / 'kasane'} load LAYER FILE")  # fmt: skip


@click.command("check")
@click.option("--url", "server", help="Also ask a running server, e.g. http://127.0.0.1:8000.")
@click.pass_context
def check_command(ctx: click.Context, server: str | None) -> None:
    """Health check: settings, layer files, browser libraries, database, schema, server."""
    settings = settings_of(ctx)
    problems: list[str] = []
    registry = LayerRegistry.from_dir(settings.layers_dir)
    click.echo(f"layer files: {len(registry)} in {settings.layers_dir}")
    from webmap.vendor import ALLOWED

    absent = [p for p in ALLOWED if not (settings.node_modules / p / "package.json").is_file()]
    if absent:
        problems.append(f"browser libraries missing from {settings.node_modules}: {absent}")
    with connection(database_url(settings)) as conn:
        click.echo(f"database: PostGIS {check_postgis(conn)}")
        if pending := migrations.pending(conn):
            problems.append(f"pending migrations (run `kasane db up`): {', '.join(pending)}")
    if server:
        problems.extend(_ask(server.rstrip("/") + "/readyz"))
    for problem in problems:
        click.echo(f"problem: {problem}", err=True)
    if problems:
        raise SystemExit(1)
    click.echo("ok")


def _ask(url: str) -> list[str]:
    try:
        with urllib.request.urlopen(url, timeout=10) as response:
            status = json.loads(response.read()).get("status")
    except (urllib.error.URLError, OSError, ValueError) as exc:
        return [f"{url}: {exc}"]
    if status != "ready":
        return [f"{url} answered {status!r}"]
    click.echo(f"server: {url} ready")
    return []
