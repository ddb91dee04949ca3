"""Independent expectations from the raw GTFS txt files, with pandas (no Kasane code)."""

from __future__ import annotations

import zipfile
from datetime import date
from pathlib import Path

import pandas as pd

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def read(feed: Path, name: str) -> pd.DataFrame:
    """One txt file of the feed as strings."""
    with zipfile.ZipFile(feed) as z, z.open(name) as f:
        return pd.read_csv(f, dtype=str, encoding="utf-8-sig", keep_default_na=False)


def active_services(feed: Path, day: date) -> set[str]:
    """service_ids running on ``day`` per calendar.txt and calendar_dates.txt."""
    ymd = day.strftime("%Y%m%d")
    cal = read(feed, "calendar.txt")
    base = cal[
        (cal["start_date"] <= ymd)
        & (cal["end_date"] >= ymd)
        & (cal[WEEKDAYS[day.weekday()]] == "1")
    ]
    dates = read(feed, "calendar_dates.txt")
    today = dates[dates["date"] == ymd]
    added = set(today.loc[today["exception_type"] == "1", "service_id"])
    removed = set(today.loc[today["exception_type"] == "2", "service_id"])
    return (set(base["service_id"]) | added) - removed


def seconds(text: str) -> int:
    """``HH:MM:SS`` -> seconds."""
    h, m, s = (int(x) for x in text.split(":"))
    return h * 3600 + m * 60 + s


def departures(feed: Path, day: date) -> pd.DataFrame:
    """Boardable stop times of the trips running on ``day``: stop_id, route_id, trip_id, t."""
    trips = read(feed, "trips.txt")
    running = trips[trips["service_id"].isin(active_services(feed, day))]
    times = read(feed, "stop_times.txt")
    times = times[times["pickup_type"] != "1"].merge(running[["trip_id", "route_id"]], on="trip_id")
    times["t"] = times["departure_time"].map(seconds)
    return times[["stop_id", "route_id", "trip_id", "t"]]
