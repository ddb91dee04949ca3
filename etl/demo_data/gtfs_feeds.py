"""The demo bus network as two GTFS-JP feeds (zip bytes), so the transit planner has timetables.

Timetables are invented but regular: on weekdays each route runs its number of trips per
direction between 06:30 and 21:30, evenly spaced; on Saturdays, Sundays and over the New Year
(29 December to 3 January, in ``calendar_dates.txt``) two thirds of them; other public holidays
are not modelled. Nobody boards at a trip's last stop (``pickup_type`` 1) or alights at its
first (``drop_off_type`` 1). Buses run at 18 km/h along the route line and wait 20 s at each
stop. The service calendar covers the fiscal years 2024–2030. Zips are byte-for-byte
reproducible (fixed member dates), so reloading the same demo is a no-op.
"""

from __future__ import annotations

import csv
import io
import zipfile
from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from etl.demo_data.shapes import length_m
from etl.demo_data.transit import DemoNetwork, DemoRoute, network
from etl.demo_data.world import World

SPEED_M_S = 18_000 / 3600
DWELL_S = 20
FIRST_S, LAST_S = 6 * 3600 + 30 * 60, 21 * 3600 + 30 * 60
SERVICES = {"weekday": (1, 1, 1, 1, 1, 0, 0), "holiday": (0, 0, 0, 0, 0, 1, 1)}
HOLIDAY_SHARE = 2 / 3
CALENDAR = ("20240401", "20310331")
ZIP_DATE = (2024, 4, 1, 0, 0, 0)
PUBLISHER_URL = "https://github.com/kasane-gis/kasane"


def _new_year_dates() -> list[list[object]]:
    """calendar_dates.txt rows: holiday service instead of weekday service at the New Year."""
    first, last = date(int(CALENDAR[0][:4]), 4, 1), date(int(CALENDAR[1][:4]), 3, 31)
    rows: list[list[object]] = []
    day = first
    while day <= last:
        new_year = (day.month == 12 and day.day >= 29) or (day.month == 1 and day.day <= 3)
        if new_year and day.weekday() < 5:
            ymd = day.strftime("%Y%m%d")
            rows += [["weekday", ymd, 2], ["holiday", ymd, 1]]
        day += timedelta(days=1)
    return rows


def _csv(header: Sequence[str], rows: Iterable[Sequence[object]]) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8-sig")


def _hms(seconds: float) -> str:
    s = round(seconds)
    return f"{s // 3600:02d}:{s % 3600 // 60:02d}:{s % 60:02d}"


def _starts(trips: int) -> list[float]:
    if trips == 1:
        return [float(FIRST_S)]
    step = (LAST_S - FIRST_S) / (trips - 1)
    return [FIRST_S + i * step for i in range(trips)]


def _trips(net: DemoNetwork, route: DemoRoute) -> tuple[list[list[object]], list[list[object]]]:
    """(trips.txt rows, stop_times.txt rows) of one route, both directions, both services."""
    trips: list[list[object]] = []
    times: list[list[object]] = []
    length = length_m(route.line)
    stop_ids = [net.stops[key]["stop_id"] for key in route.stop_keys]
    terminals = [net.stops[route.stop_keys[-1]]["name"], net.stops[route.stop_keys[0]]["name"]]
    for direction in (0, 1):
        ids = stop_ids if direction == 0 else stop_ids[::-1]
        ordered = (
            route.stop_fractions if direction == 0 else [1 - f for f in route.stop_fractions[::-1]]
        )
        for service in SERVICES:
            count = route.trips_per_direction
            if service == "holiday":
                count = max(1, round(count * HOLIDAY_SHARE))
            for n, start in enumerate(_starts(count)):
                trip_id = f"{route.route_id}_{service}_{direction}_{n + 1:03d}"
                trips.append([route.route_id, service, trip_id, terminals[direction], direction,
                              f"{route.route_id}_{direction}"])  # fmt: skip
                for seq, (stop_id, f) in enumerate(zip(ids, ordered, strict=True)):
                    arrive = start + f * length / SPEED_M_S + max(0, seq - 1) * DWELL_S
                    depart = arrive if seq in (0, len(ids) - 1) else arrive + DWELL_S
                    last = seq == len(ids) - 1
                    times.append([trip_id, _hms(arrive), _hms(depart), stop_id, seq + 1,
                                  int(last), int(seq == 0)])  # fmt: skip
    return trips, times


def _feed(net: DemoNetwork, feed_id: str) -> dict[str, bytes]:
    routes = [r for r in net.routes if r.feed_id == feed_id]
    stops = [(key, s) for key, s in net.stops.items() if key[0] == feed_id]
    trips: list[list[object]] = []
    times: list[list[object]] = []
    shapes: list[list[object]] = []
    for route in routes:
        route_trips, route_times = _trips(net, route)
        trips += route_trips
        times += route_times
        coords = list(route.line.coords)
        for direction, points in ((0, coords), (1, coords[::-1])):
            shapes += [[f"{route.route_id}_{direction}", round(y, 6), round(x, 6), i + 1]
                       for i, (x, y) in enumerate(points)]  # fmt: skip
    return {
        "agency.txt": _csv(
            ["agency_id", "agency_name", "agency_url", "agency_timezone", "agency_lang"],
            [[feed_id, net.agencies[feed_id], PUBLISHER_URL, "Asia/Tokyo", "ja"]],
        ),
        "stops.txt": _csv(
            ["stop_id", "stop_name", "stop_lat", "stop_lon", "location_type"],
            [
                [s["stop_id"], s["name"], round(s["point"].y, 6), round(s["point"].x, 6), 0]
                for _, s in stops
            ],
        ),
        "translations.txt": _csv(
            ["table_name", "field_name", "language", "translation", "record_id"],
            [["stops", "stop_name", "en", s["name_en"], s["stop_id"]] for _, s in stops],
        ),
        "routes.txt": _csv(
            [
                "route_id",
                "agency_id",
                "route_short_name",
                "route_long_name",
                "route_type",
                "route_color",
            ],
            [[r.route_id, feed_id, r.short_name, r.long_name, 3, r.color] for r in routes],
        ),
        "trips.txt": _csv(
            ["route_id", "service_id", "trip_id", "trip_headsign", "direction_id", "shape_id"],
            trips,
        ),
        "stop_times.txt": _csv(
            [
                "trip_id",
                "arrival_time",
                "departure_time",
                "stop_id",
                "stop_sequence",
                "pickup_type",
                "drop_off_type",
            ],
            times,
        ),
        "calendar.txt": _csv(
            [
                "service_id",
                "monday",
                "tuesday",
                "wednesday",
                "thursday",
                "friday",
                "saturday",
                "sunday",
                "start_date",
                "end_date",
            ],
            [[service, *days, *CALENDAR] for service, days in SERVICES.items()],
        ),
        "calendar_dates.txt": _csv(["service_id", "date", "exception_type"], _new_year_dates()),
        "shapes.txt": _csv(
            ["shape_id", "shape_pt_lat", "shape_pt_lon", "shape_pt_sequence"], shapes
        ),
        "feed_info.txt": _csv(
            [
                "feed_publisher_name",
                "feed_publisher_url",
                "feed_lang",
                "feed_start_date",
                "feed_end_date",
                "feed_version",
            ],
            [["Kasane demo (invented data)", PUBLISHER_URL, "ja", *CALENDAR, "demo-1"]],
        ),
    }


def demo_feeds(world: World | None = None) -> dict[str, bytes]:
    """GTFS-JP zip bytes by feed id (``yamaguchi_demo``, ``hofu_demo``)."""
    net = network(world or World())
    out: dict[str, bytes] = {}
    for feed_id in net.agencies:
        buffer = io.BytesIO()
        with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
            for name, data in _feed(net, feed_id).items():
                archive.writestr(zipfile.ZipInfo(name, date_time=ZIP_DATE), data,
                                 compress_type=zipfile.ZIP_DEFLATED)  # fmt: skip
        out[feed_id] = buffer.getvalue()
    return out
