"""``kasane serve`` and ``kasane demo``."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import click

from kasane.context import context_of, ensure_database, registry_of, settings_of


@click.command()
@click.option("--host", default=None, help="Address to bind (default KASANE_HOST, 127.0.0.1).")
@click.option("--port", type=int, default=None, help="Port (default KASANE_PORT, 8000).")
@click.option(
    "--workers", type=int, default=None, help="gunicorn workers (default KASANE_WORKERS)."
)
@click.option("--dev", is_flag=True, help="Use Flask's reloading development server instead.")
@click.pass_context
def serve(
    ctx: click.Context, host: str | None, port: int | None, workers: int | None, dev: bool
) -> None:
    """Serve the map, pages and API (gunicorn; Ctrl-C stops it)."""
    settings = settings_of(ctx)
    updates = {k: v for k, v in {"host": host, "port": port, "workers": workers}.items() if v}
    settings = settings.model_copy(update=updates)
    from etl.upload import load_upload
    from webmap.server import run

    watcher = _static_watcher(settings.static_export_dir)
    try:
        run(settings, dev=dev, loader=load_upload)
    finally:
        if watcher is not None:
            watcher.terminate()
            watcher.wait(timeout=30)


def _static_watcher(directory: str) -> subprocess.Popen[bytes] | None:
    """With ``KASANE_STATIC_EXPORT_DIR`` set, one process beside the web workers keeps the
    static edition there current (``kasane export static DIR --watch``)."""
    if not directory:
        return None
    from webmap.residents.static_edition.edition import check_target

    check_target(Path(directory))  # say it now, not in the watcher's log
    command = [sys.executable, "-m", "kasane", "export", "static", directory, "--watch"]
    return subprocess.Popen(command)  # inherits the environment and the output streams


@click.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve the map afterwards.")
@click.option(
    "--reset",
    is_flag=True,
    help="Replace data that did not come from the demo with the demo data (asks first).",
)
@click.option("--yes", is_flag=True, help="With --reset: do not ask.")
@click.pass_context
def demo(ctx: click.Context, then_serve: bool, reset: bool, yes: bool) -> None:
    """Load the bundled demo data into an empty database and serve the map.

    A database that holds data loaded by `kasane load` (or uploaded) is left as it is and
    served: start it with `kasane serve`. `--reset` is the way back to the demo data.
    """
    from etl.demo import DEMO_TARGETS, load_demo, open_drill_shelters, user_data

    settings = settings_of(ctx)
    if not settings.deadzone_targets:  # the demo data comes with its prefecture's plan
        settings = settings.model_copy(update={"deadzone_targets": DEMO_TARGETS})
        context_of(ctx).replace_settings(settings)
    registry = registry_of(ctx)
    url = ensure_database(settings)
    from gis.platform.db import connect

    if reset and not yes and sys.stdin.isatty():
        with connect(url) as conn:
            found = user_data(conn)
        if found:
            click.echo("kasane demo --reset replaces this data with the demo data:", err=True)
            for line in found:
                click.echo(f"  {line}", err=True)
            click.echo("(earlier layer versions stay for `kasane layers rollback`;"
                       " the GTFS feeds are removed)", err=True)  # fmt: skip
            click.confirm("Replace it?", abort=True, err=True)
    report = load_demo(url, registry, reset=reset)
    if report.kept:
        click.echo("kasane demo: this database holds data that did not come from the demo;"
                   " nothing was replaced, serving what is there:", err=True)  # fmt: skip
        for line in report.kept:
            click.echo(f"  {line}", err=True)
        click.echo("Start the server with `kasane serve`; `kasane demo --reset` replaces this"
                   " data with the demo data.", err=True)  # fmt: skip
    for line in report.replaced:
        click.echo(f"  replaced: {line}", err=True)
    for layer_id, outcome in report.outcome.items():
        click.echo(f"  {layer_id:<20} {outcome}", err=True)
    opened = open_drill_shelters(url)
    if opened:
        click.echo(f"  {'shelter status':<20} {opened} shelters opened as a drill", err=True)
    if then_serve:
        ctx.invoke(serve)
