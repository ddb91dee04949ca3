"""GTFS and GTFS-JP feeds into the ``transit`` schema (see README, "Transit schema").

Each feed is replaced as a whole in one transaction: its rows are deleted (cascading from
``transit.feeds``) and the new ones copied in, so a failed load leaves the old feed served.
Files are UTF-8 with or without BOM; times such as ``9:20:00`` and ``25:10:00`` become seconds
past midnight; unknown files are ignored with a warning; GTFS-JP extension files and the other
optional files are kept as JSON records in ``transit.extra_records``.
"""

from __future__ import annotations

import csv
import io
import re
import zipfile
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from psycopg import sql
from psycopg.types.json import Jsonb

from etl.sniff import detect_encoding, zip_names
from gis.layerstore import storage
from gis.platform.errors import LoadError

Convert = Callable[[str], Any]


def gtfs_time(text: str) -> int | None:
    """Seconds past midnight from ``H:MM:SS`` (hours may exceed 24); None when blank."""
    text = text.strip()
    if not text:
        return None
    m = re.fullmatch(r"(\d{1,3}):([0-5]\d):([0-5]\d)", text)
    if not m:
        raise ValueError(f"{text!r} is not a GTFS time (H:MM:SS)")
    return int(m[1]) * 3600 + int(m[2]) * 60 + int(m[3])


def gtfs_date(text: str) -> date | None:
    """A date from ``YYYYMMDD``; None when blank."""
    text = text.strip()
    if not text:
        return None
    if not re.fullmatch(r"\d{8}", text):
        raise ValueError(f"{text!r} is not a GTFS date (YYYYMMDD)")
    return date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _int(text: str) -> int | None:
    return int(text) if text.strip() else None


def _float(text: str) -> float | None:
    return float(text) if text.strip() else None


def _bool(text: str) -> bool:
    return text.strip() == "1"


def _text(text: str) -> str | None:
    return text if text != "" else None


T, N, F, B, D, H = _text, _int, _float, _bool, gtfs_date, gtfs_time
# file -> (table, {column: converter}); columns not listed are dropped (reported once).
CORE: dict[str, tuple[str, dict[str, Convert]]] = {
    "agency.txt": ("agency", {"agency_id": lambda s: s, "agency_name": T, "agency_url": T,
                   "agency_timezone": T, "agency_lang": T, "agency_phone": T,
                   "agency_fare_url": T, "agency_email": T}),
    "stops.txt": ("stops", {"stop_id": T, "stop_code": T, "stop_name": T, "stop_desc": T,
                  "stop_lat": F, "stop_lon": F, "zone_id": T, "stop_url": T,
                  "location_type": N, "parent_station": T, "stop_timezone": T,
                  "wheelchair_boarding": N, "platform_code": T}),
    "routes.txt": ("routes", {"route_id": T, "agency_id": T, "route_short_name": T,
                   "route_long_name": T, "route_desc": T, "route_type": N, "route_url": T,
                   "route_color": T, "route_text_color": T, "jp_parent_route_id": T}),
    "trips.txt": ("trips", {"trip_id": T, "route_id": T, "service_id": T, "trip_headsign": T,
                  "trip_short_name": T, "direction_id": N, "block_id": T, "shape_id": T,
                  "wheelchair_accessible": N, "bikes_allowed": N, "jp_trip_desc": T,
                  "jp_trip_desc_symbol": T, "jp_office_id": T}),
    "stop_times.txt": ("stop_times", {"trip_id": T, "arrival_time": H, "departure_time": H,
                       "stop_id": T, "stop_sequence": N, "stop_headsign": T,
                       "pickup_type": N, "drop_off_type": N, "shape_dist_traveled": F,
                       "timepoint": N}),
    "calendar.txt": ("calendar", {"service_id": T, "monday": B, "tuesday": B, "wednesday": B,
                     "thursday": B, "friday": B, "saturday": B, "sunday": B,
                     "start_date": D, "end_date": D}),
    "calendar_dates.txt": ("calendar_dates", {"service_id": T, "date": D, "exception_type": N}),
    "shapes.txt": ("shapes", {"shape_id": T, "shape_pt_sequence": N, "shape_pt_lat": F,
                   "shape_pt_lon": F, "shape_dist_traveled": F}),
    "frequencies.txt": ("frequencies", {"trip_id": T, "start_time": H, "end_time": H,
                        "headway_secs": N, "exact_times": N}),
    "translations.txt": ("translations", {"table_name": T, "field_name": T, "language": T,
                         "translation": T, "record_id": T, "record_sub_id": T,
                         "field_value": T, "trans_id": T}),
}  # fmt: skip
EXTRA = {"feed_info.txt", "fare_attributes.txt", "fare_rules.txt", "transfers.txt",
         "pathways.txt", "levels.txt", "attributions.txt", "agency_jp.txt", "office_jp.txt",
         "pattern_jp.txt", "routes_jp.txt"}  # fmt: skip
REQUIRED = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
# GTFS-JP (2019) translations use trans_id/lang; map them to the columns above.
_ALIASES = {"lang": "language"}


@dataclass
class FeedReport:
    """What happened to one feed."""

    feed_id: str
    file_name: str
    counts: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)


def _records(data: bytes) -> tuple[list[str], Iterator[list[str]]]:
    text = data.decode(detect_encoding(data[:65536]))
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""))
    header = [h.strip() for h in next(reader, [])]
    return header, (row for row in reader if any(cell.strip() for cell in row))


def read_feed(path: Path) -> dict[str, bytes]:
    """The feed's files by base name (``stops.txt`` -> bytes)."""
    try:
        with zipfile.ZipFile(path) as archive:
            return {
                name.rsplit("/", 1)[-1].lower(): archive.read(info)
                for name, info in zip_names(archive).items()
                if not info.is_dir() and not name.startswith("__MACOSX/")
            }
    except zipfile.BadZipFile as err:
        raise LoadError(f"not a zip archive: {err}") from err


def _rows(
    name: str, data: bytes, columns: dict[str, Convert], report: FeedReport
) -> tuple[list[str], Iterator[tuple[Any, ...]]]:
    header, records = _records(data)
    header = [_ALIASES.get(h, h) for h in header]
    used = [c for c in columns if c in header]
    dropped = [h for h in header if h and h not in columns]
    if dropped:
        report.warnings.append(f"{name}: columns ignored: {', '.join(dropped)}")
    index = [header.index(c) for c in used]
    converters = [columns[c] for c in used]

    def convert() -> Iterator[tuple[Any, ...]]:
        for number, row in enumerate(records, start=2):
            cells = row + [""] * (len(header) - len(row))
            try:
                yield tuple(f(cells[i]) for f, i in zip(converters, index, strict=True))
            except ValueError as err:
                raise LoadError(f"{name} row {number}: {err}") from err

    return used, convert()


def store_feed(conn: storage.Conn, feed_id: str, path: Path, sha256: str) -> FeedReport:
    """Replace feed ``feed_id`` with the content of ``path``, in one transaction."""
    files = read_feed(path)
    missing = [f for f in REQUIRED if f not in files]
    if missing:
        raise LoadError(f"not a complete GTFS feed: {', '.join(missing)} missing")
    report = FeedReport(feed_id, path.name)
    unknown = sorted(f for f in files if f not in CORE and f not in EXTRA)
    if unknown:
        report.warnings.append(f"files ignored (not GTFS/GTFS-JP): {', '.join(unknown)}")
    info = _feed_info(files.get("feed_info.txt"))
    with conn.transaction():
        conn.execute("DELETE FROM transit.feeds WHERE feed_id = %s", (feed_id,))
        conn.execute(
            "INSERT INTO transit.feeds (feed_id, file_name, sha256, start_date, end_date,"
            " publisher, files) VALUES (%s, %s, %s, %s, %s, %s, %s)",
            (feed_id, path.name, sha256, info.get("start"), info.get("end"),
             info.get("publisher"), sorted(files)),
        )  # fmt: skip
        for name, (table, columns) in CORE.items():
            if name in files:
                used, rows = _rows(name, files[name], columns, report)
                report.counts[table] = _copy(conn, table, used, feed_id, rows)
        for name in sorted(EXTRA & files.keys()):
            header, records = _records(files[name])
            rows_extra = (
                (name, n, Jsonb(dict(zip(header, r, strict=False))))
                for n, r in enumerate(records, start=2)
            )
            n = _copy(conn, "extra_records", ["file_name", "row_number", "record"], feed_id,
                      rows_extra)  # fmt: skip
            report.counts[name.removesuffix(".txt")] = n
        conn.execute(
            "UPDATE transit.feeds SET warnings = %s WHERE feed_id = %s",
            (Jsonb(report.warnings), feed_id),
        )
    return report


def _copy(
    conn: storage.Conn, table: str, columns: list[str], feed_id: str,
    rows: Iterator[tuple[Any, ...]],
) -> int:  # fmt: skip
    statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
        sql.Identifier("transit", table),
        sql.SQL(", ").join(map(sql.Identifier, ["feed_id", *columns])),
    )
    count = 0
    with conn.cursor() as cur, cur.copy(statement) as copy:
        for row in rows:
            copy.write_row((feed_id, *row))
            count += 1
    return count


def _feed_info(data: bytes | None) -> dict[str, Any]:
    if not data:
        return {}
    header, records = _records(data)
    row = dict(zip(header, next(records, []), strict=False))
    try:
        start, end = (
            gtfs_date(row.get("feed_start_date", "")),
            gtfs_date(row.get("feed_end_date", "")),
        )
    except ValueError:
        start = end = None
    return {"start": start, "end": end, "publisher": row.get("feed_publisher_name") or None}
