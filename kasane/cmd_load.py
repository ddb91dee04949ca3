"""``kasane load LAYER PATH...``: load files into a layer, with a report."""

from __future__ import annotations

import contextlib
import gc
import getpass
import json
import logging
import os
import sys
import tempfile
import traceback
from collections.abc import Iterator
from pathlib import Path

import click
import psycopg

from etl.load import LoadOptions, load
from etl.municipality import REJECT_KM
from etl.part_load import check_part
from etl.report import one_line
from gis.layerstore.part_access import require_publish
from gis.platform import audit, timings
from gis.platform.auth import Principal
from gis.platform.db import connection, database_url
from gis.platform.errors import BadRequest, KasaneError
from kasane.cmd_parts import acting_user, as_user_options
from kasane.context import context_of, registry_of, settings_of


def _progress(done: int, total: int, label: str) -> None:
    width = 30
    filled = width * done // max(total, 1)
    end = "\n" if done >= total else ""
    sys.stderr.write(
        f"\r[{'#' * filled}{'.' * (width - filled)}] {done}/{total} {label[:40]:<40}{end}"
    )
    sys.stderr.flush()


def _pairs(values: tuple[str, ...]) -> dict[str, str]:
    out = {}
    for item in values:
        name, sep, value = item.partition("=")
        if not sep or not name:
            raise BadRequest(f"--set expects FIELD=VALUE, got {item!r}")
        out[name.strip()] = value.strip()
    return out


def _audit(url: str, layer: str, outcome: str, files: list[str], who: Principal | None,
           part: str | None = None) -> None:  # fmt: skip
    """Record a load from the command line in the audit log (actor ``cli:<os user>``, or the
    user given by ``--as``/``--token``); the target names the part of a shared layer."""
    target = f"layers/{layer}" + (f"/parts/{part}" if part else "")
    with connection(url) as conn:
        summary = {"outcome": outcome, "files": files}
        audit.record(conn, who or f"cli:{getpass.getuser()}", "layer.load", target, after=summary)


@click.command("load")
@click.argument("layer")
@click.argument("paths", nargs=-1, required=True, type=click.Path(path_type=Path))
@click.option("--dry-run", is_flag=True, help="Read and validate, report, change nothing.")
@click.option("--encoding", help="Text encoding of CSV/.dbf files (default: detected).")
@click.option(
    "--crs", help="CRS of the input when the file does not say (EPSG:6671, 'JGD2011 zone III', …)."
)
@click.option("--report", "report_path", type=click.Path(path_type=Path),
              help="Write a JSON report with every rejected row here.")  # fmt: skip
@click.option("--force", is_flag=True, help="Load even when the same files are already served.")
@click.option("--sheet", help="Sheet of an Excel workbook (default: the first with data).")
@click.option("--set", "defaults", multiple=True, metavar="FIELD=VALUE",
              help="Value for a field the files lack (e.g. survey_year=2020).")  # fmt: skip
@click.option(
    "--reject-outside-km",
    type=click.FloatRange(min=0),
    default=REJECT_KM,
    show_default=True,
    help="Reject rows this far outside the municipality they name (nearer: flagged).",
)
@click.option(
    "--part",
    metavar="CODE",
    help="Shared layer: publish only this municipality's part (e.g. 352012).",
)
@click.option("--parts", "parts_mode", type=click.Choice(["present", "all"]),
              help="Shared layer, prefecture: publish every part in the files (present), and"
              " empty the parts they lack (all).")  # fmt: skip
@as_user_options
@click.pass_context
def load_command(
    ctx: click.Context,
    layer: str,
    paths: tuple[Path, ...],
    dry_run: bool,
    encoding: str | None,
    crs: str | None,
    report_path: Path | None,
    force: bool,
    sheet: str | None,
    defaults: tuple[str, ...],
    reject_outside_km: float,
    part: str | None,
    parts_mode: str | None,
    as_user: str | None,
    token: str | None,
) -> None:
    """Load PATHs (files or directories) into LAYER as a new version.

    Formats are detected from content: CSV (any Japanese encoding), GeoJSON, TopoJSON,
    GeoPackage, shapefiles (loose or zipped), Excel workbooks (.xlsx, --sheet) and, for
    `transit`, GTFS/GTFS-JP zips.
    Rejected rows are reported with their reason; the load is all or nothing. A shared
    layer (one that declares `parts`) is published a part at a time: --part CODE. With
    KASANE_TIMINGS=1, the wall time of each phase is printed to stderr at the end.
    """
    started = timings.since_process_start()
    if started is not None:
        timings.add("start-up (Python, imports, settings)", started)
    logging.getLogger("psycopg").setLevel(logging.ERROR)  # a lost connection: one line, below
    options = LoadOptions(dry_run, force, encoding, crs, _pairs(defaults), sheet=sheet,
                          reject_outside_km=reject_outside_km)  # fmt: skip
    with _collector_paused():
        url = database_url(settings_of(ctx))
        progress = _progress if sys.stderr.isatty() else None
        try:
            if layer == "transit":
                from etl.gtfs_load import load_feeds

                report = load_feeds(url, registry_of(ctx), list(paths), options, progress)
                who = None
            else:
                spec = registry_of(ctx).get(layer)
                who = acting_user(url, as_user, token)
                if spec.parts:
                    if part is None and parts_mode is None and who is not None:
                        part = who.org_code  # --as/--token: by default the user's own part
                    if part is not None:
                        part = check_part(spec, part)
                    if who is not None:
                        require_publish(who, spec, part)
                    options.part, options.parts = part, parts_mode
                    options.loaded_by = who.name if who else f"cli:{getpass.getuser()}"
                elif who is not None:
                    who.require_edit(spec.owner)
                report = load(url, spec, list(paths), options, progress)
        except (KasaneError, psycopg.Error, click.ClickException):
            raise  # one line from kasane.cli
        except Exception as err:  # a bug: one line here, the traceback for the developers
            if os.environ.get("KASANE_DEBUG"):
                raise
            where = _save_traceback(layer, err, report_path)
            click.echo(
                f"kasane: error: the load failed ({one_line(err)}); nothing was"
                f" published. The traceback for the developers: {where}",
                err=True,
            )
            _leave(ctx, 1)
            return
        click.echo(report.summary())
        unchanged = report.outcome.startswith("unchanged")
        if report.rows_loaded and not dry_run and not unchanged:
            _audit(url, layer, report.outcome, [p.name for p in paths], who, part)
        if report_path:
            report.write(report_path)
        failed = report.rows_loaded == 0 and not unchanged
        if timings.wanted():
            timings.print_report(timings.since_process_start())
        _leave(ctx, 1 if failed else 0)


def _save_traceback(layer: str, err: BaseException, report_path: Path | None) -> Path:
    """Write an unexpected error's traceback to the JSON report (or a file of its own in the
    temporary folder); returns where."""
    trace = "".join(traceback.format_exception(err))
    if report_path is None:
        handle, name = tempfile.mkstemp(prefix="kasane-load-", suffix=".traceback.txt")
        with os.fdopen(handle, "w", encoding="utf-8") as out:
            out.write(trace)
        return Path(name)
    body = {"layer": layer, "outcome": f"failed: {one_line(err)}", "traceback": trace}
    report_path.write_text(json.dumps(body, ensure_ascii=False, indent=1), "utf-8")
    return report_path


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """The cyclic GC paused while a load runs.

    Triggered again and again by a load's many new objects (rows, values, geometries: none in
    a cycle), it walked them and the imported libraries' (about a million) for 0.4-0.6 s of CPU
    of a 200k-point load. The few cycles a load makes are freed when it ends; run in-process,
    the collector is restarted then.
    """
    gc.freeze()
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            gc.enable()


def _leave(ctx: click.Context, code: int) -> None:
    """End the command; as the ``kasane`` process itself, without Python's teardown.

    Tearing down the modules a load imports (numpy, shapely, PROJ, and GDAL for most formats)
    took up to 0.3 s. Nothing is pending by now: connections and temporary directories are
    closed by their ``with`` blocks, and output is flushed here. Run inside another program
    (``kasane.cli.main`` called in-process), it exits as usual.
    """
    if context_of(ctx).owns_process:
        sys.stdout.flush()
        sys.stderr.flush()
        logging.shutdown()
        os._exit(code)
    if code:
        sys.exit(code)
