"""Ways real files go wrong, as mutations of their bytes for the file fuzz tests.

Each mutation takes the file's bytes and a seeded :class:`random.Random` and returns new bytes;
it applies to some kinds of file (``csv``, ``json``, ``binary``), listed in :data:`FOR_KIND`.
The JSON ones reach into GeoJSON (coordinates, properties, features), the CSV ones into
columns and cells; the byte ones (truncation, flipped bytes) fit any file, zips included.
"""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from typing import Any

Mutation = Callable[[bytes, random.Random], bytes]
BAD_NUMBERS = [float("nan"), float("inf"), -float("inf"), 1e308, -999.0, 500.0, 0.0]
HUGE = 300_000  # characters in a huge cell


def _text(data: bytes) -> tuple[str, str]:
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return data.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    return data.decode("latin-1"), "latin-1"


def truncate(data: bytes, rnd: random.Random) -> bytes:
    return data[: rnd.randrange(len(data))] if data else data


def flip_bytes(data: bytes, rnd: random.Random) -> bytes:
    out = bytearray(data)
    for _ in range(rnd.randint(1, 8)):
        if out:
            out[rnd.randrange(len(out))] ^= 1 << rnd.randrange(8)
    return bytes(out)


def reencode(data: bytes, rnd: random.Random) -> bytes:
    text, _ = _text(data)
    target = rnd.choice(["cp932", "euc_jp", "utf-16", "utf-8-sig", "latin-1", "iso2022_jp"])
    return text.encode(target, errors="replace")


def newlines(data: bytes, rnd: random.Random) -> bytes:
    unified = data.replace(b"\r\n", b"\n").replace(b"\r", b"\n")
    return unified.replace(b"\n", rnd.choice([b"\r\n", b"\r", b"\n\n", b"\r\r\n"]))


def bom_in_odd_places(data: bytes, rnd: random.Random) -> bytes:
    lines = data.split(b"\n")
    for _ in range(rnd.randint(1, 3)):
        at = rnd.randrange(len(lines))
        lines[at] = b"\xef\xbb\xbf" + lines[at]
    return b"\n".join(lines)


def _csv_lines(data: bytes) -> tuple[list[list[str]], str, str]:
    text, encoding = _text(data)
    newline = "\r\n" if "\r\n" in text else "\n"
    return [line.split(",") for line in text.split(newline)], encoding, newline


def _csv_bytes(lines: list[list[str]], encoding: str, newline: str) -> bytes:
    return newline.join(",".join(cells) for cells in lines).encode(encoding, errors="replace")


def drop_column(data: bytes, rnd: random.Random) -> bytes:
    lines, encoding, newline = _csv_lines(data)
    k = rnd.randrange(max(len(lines[0]), 1))
    return _csv_bytes([cells[:k] + cells[k + 1 :] for cells in lines], encoding, newline)


def rename_column(data: bytes, rnd: random.Random) -> bytes:
    lines, encoding, newline = _csv_lines(data)
    k = rnd.randrange(max(len(lines[0]), 1))
    lines[0][k] = rnd.choice(["", "x", "緯度", "経度", "名称", "lat", "ＩＤ", "\u3000"])
    return _csv_bytes(lines, encoding, newline)


def headers_only(data: bytes, rnd: random.Random) -> bytes:
    lines, encoding, newline = _csv_lines(data)
    return _csv_bytes(lines[: rnd.choice([1, 1, 2])], encoding, newline)


def csv_cell(data: bytes, rnd: random.Random) -> bytes:
    """A random cell becomes a bad number, a huge text or nothing; or a row is repeated."""
    lines, encoding, newline = _csv_lines(data)
    row = rnd.randrange(1, len(lines)) if len(lines) > 1 else 0
    if rnd.random() < 0.25:
        lines.insert(row, list(lines[row]))  # a duplicate row (and id)
        return _csv_bytes(lines, encoding, newline)
    k = rnd.randrange(max(len(lines[row]), 1))
    value = rnd.choice([repr(rnd.choice(BAD_NUMBERS)), "あ" * HUGE, "", '"', "1e999"])
    if lines[row]:
        lines[row][k] = value
    return _csv_bytes(lines, encoding, newline)


def _features(doc: Any) -> list[Any]:
    features = doc.get("features") if isinstance(doc, dict) else None
    return features if isinstance(features, list) else []


def _rings(geometry: Any) -> list[list[Any]]:
    """The coordinate lists (rings and lines) of a GeoJSON geometry."""
    if not isinstance(geometry, dict):
        return []
    coords = geometry.get("coordinates")
    kind = geometry.get("type")
    if kind == "GeometryCollection":
        return [r for g in geometry.get("geometries") or [] for r in _rings(g)]
    if kind in ("LineString", "MultiPoint"):
        return [coords]
    if kind in ("Polygon", "MultiLineString"):
        return list(coords or [])
    if kind == "MultiPolygon":
        return [ring for polygon in coords or [] for ring in polygon]
    return [[coords]] if kind == "Point" else []


def geojson(data: bytes, rnd: random.Random) -> bytes:
    """One structural fault in a GeoJSON: bad or 3D coordinates, unclosed rings, empty or
    missing geometries, duplicate features, dropped, renamed or huge properties."""
    try:
        doc = json.loads(data)
    except ValueError:
        return flip_bytes(data, rnd)
    features = _features(doc)
    if not features:
        return data
    feature = rnd.choice(features)
    geometry = feature.get("geometry")
    fault = rnd.choice(["number", "unclosed", "z", "m", "empty", "null", "duplicate", "drop",
                        "rename", "huge", "none"])  # fmt: skip
    rings = _rings(geometry)
    if fault == "number" and rings:
        ring = rnd.choice(rings)
        if ring and isinstance(ring[0], list):
            ring[rnd.randrange(len(ring))][rnd.randrange(2)] = rnd.choice(BAD_NUMBERS)
    elif fault == "unclosed":
        for ring in rings:
            if len(ring) > 3 and ring[0] == ring[-1]:
                ring.pop()
    elif fault in ("z", "m"):
        for ring in rings:
            for point in ring:
                if isinstance(point, list):
                    point.extend([rnd.uniform(-10, 3000)] * (1 if fault == "z" else 2))
    elif fault == "empty" and isinstance(geometry, dict):
        geometry["coordinates"] = []
    elif fault == "null":
        feature["geometry"] = None
    elif fault == "duplicate":
        features.extend(json.loads(json.dumps(features[: rnd.randint(1, 3)])))
    elif fault in ("drop", "rename", "huge") and feature.get("properties"):
        props = feature["properties"] if fault == "huge" else None
        for f in features if fault != "huge" else []:
            keys = list(f.get("properties") or {})
            if keys:
                key = keys[rnd.randrange(len(keys))] if fault == "drop" else keys[0]
                value = f["properties"].pop(key)
                if fault == "rename":
                    f["properties"]["x_" + key] = value
        if props:
            props[rnd.choice(list(props))] = "あ" * HUGE
    elif fault == "none":
        doc["features"] = []
    return json.dumps(doc, allow_nan=True, ensure_ascii=rnd.random() < 0.5).encode()


FOR_KIND: dict[str, list[Mutation]] = {
    "csv": [truncate, flip_bytes, reencode, newlines, bom_in_odd_places, drop_column,
            rename_column, headers_only, csv_cell, csv_cell],
    "json": [truncate, flip_bytes, reencode, newlines, bom_in_odd_places, geojson, geojson,
             geojson, geojson],
    "binary": [truncate, flip_bytes, flip_bytes],
}  # fmt: skip
