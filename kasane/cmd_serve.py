"""``kasane serve`` and ``kasane demo``."""

from __future__ import annotations

import click

from kasane.context import ensure_database, registry_of, settings_of


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

    run(settings, dev=dev, loader=load_upload)


@click.command()
@click.option("--serve/--no-serve", "then_serve", default=True, help="Serve the map afterwards.")
@click.pass_context
def demo(ctx: click.Context, then_serve: bool) -> None:
    """Set up the database, load the bundled demo data for every layer, and serve the map."""
    settings = settings_of(ctx)
    registry = registry_of(ctx)
    url = ensure_database(settings)
    from etl.demo import load_demo, open_drill_shelters, publish_demo_blank_areas

    for layer_id, outcome in load_demo(url, registry).items():
        click.echo(f"  {layer_id:<20} {outcome}", err=True)
    for published in publish_demo_blank_areas(url, registry):
        click.echo(f"  {published}", err=True)
    opened = open_drill_shelters(url)
    if opened:
        click.echo(f"  {'shelter status':<20} {opened} shelters opened as a drill", err=True)
    if then_serve:
        ctx.invoke(serve)
