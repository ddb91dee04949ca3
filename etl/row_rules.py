"""A mapped table as rows of a layer: defaults, geometry and field rules, Python types.

Each row that breaks a rule is left out and reported with its reason; what remains is a
:class:`Chunk`: the layer's declared columns as plain Python values (EPSG:4326 geometries), with
each row's number in its file, to say where it came from in later checks and in the report.
Nothing here needs a data-frame library: a load of a GeoPackage or a CSV never imports one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from itertools import compress
from typing import Any

import numpy as np

from etl.load_options import LoadOptions
from etl.report import FileReport
from etl.sources import Mapped
from etl.validate import check_fields, check_geometries
from gis.layerstore.layerspec import FieldSpec, LayerSpec


@dataclass
class Chunk:
    """Rows of a layer that passed every rule, ready to be written."""

    columns: dict[str, list[Any]]  # every declared field, typed; None for a missing value
    geometry: np.ndarray  # shapely geometries, EPSG:4326
    rows: np.ndarray  # each row's number in its file
    file: str = ""  # the file's name in the report
    wkb: np.ndarray | None = None  # each geometry's EPSG:4326 WKB when known (else None)

    def __len__(self) -> int:
        return len(self.geometry)

    def where(self, keep: np.ndarray) -> Chunk:
        """The rows where ``keep`` is True."""
        if keep.all():
            return self
        columns = {name: list(compress(values, keep)) for name, values in self.columns.items()}
        wkb = None if self.wkb is None else self.wkb[keep]
        return Chunk(columns, self.geometry[keep], self.rows[keep], self.file, wkb)

    def sliced(self, start: int, stop: int) -> Chunk:
        """Rows ``start`` to ``stop`` (0-based, stop excluded)."""
        columns = {name: values[start:stop] for name, values in self.columns.items()}
        wkb = None if self.wkb is None else self.wkb[start:stop]
        return Chunk(columns, self.geometry[start:stop], self.rows[start:stop], self.file, wkb)


def checked_chunk(
    spec: LayerSpec, mapped: Mapped, report: FileReport, options: LoadOptions
) -> Chunk:
    """The rows of ``mapped`` that pass every rule, as the layer's columns (see above)."""
    rows = mapped.rows
    columns: dict[str, list[object]] = {}
    for f in spec.fields:
        column = mapped.columns.get(f.name)
        default = options.values.get(f.name)
        if column is None:
            column = [default] * len(rows) if default is not None else None
        elif default is not None:
            column = [default if v is None else v for v in column]
        if column is not None:
            columns[f.name] = column
    keep = np.array([g is not None for g in mapped.geometry], dtype=bool)
    _reject_missing(rows[~keep], report)
    read = mapped.geometry[keep]
    geoms, valid = check_geometries(read.copy(), rows[keep], spec, report)
    full = np.empty(len(rows), dtype=object)
    full[keep] = geoms
    wkb = _unchanged_wkb(mapped.wkb, keep, read, geoms)
    keep[keep] = valid
    rejected = {i.row for i in report.issues if i.action == "rejected"}
    if rejected:
        keep &= ~np.isin(rows, np.array(sorted(r for r in rejected if r is not None)))
    keep &= check_fields(columns, rows, spec, report)
    typed: dict[str, list[Any]] = {}
    for f in spec.fields:
        if f.name not in columns:
            typed[f.name] = [None] * len(rows)
            continue
        typed[f.name], unfit = typed_column(f, columns[f.name])
        for i, reason in unfit:
            if keep[i]:
                keep[i] = False
                report.add(int(rows[i]), f.name, reason, "rejected")
    return Chunk(typed, full, rows, report.name, wkb).where(keep)


def _unchanged_wkb(
    wkb: np.ndarray | None, kept: np.ndarray, read: np.ndarray, checked: np.ndarray
) -> np.ndarray | None:
    """The WKB as read of each geometry that the checks left as it was (None for the others,
    repaired or changed: the writer encodes those again)."""
    if wkb is None:
        return None
    same = np.fromiter((a is b for a, b in zip(read, checked, strict=True)), bool, len(read))
    out = np.empty(len(wkb), dtype=object)
    out[np.flatnonzero(kept)[same]] = wkb[kept][same]
    return out


def _reject_missing(rows: np.ndarray, report: FileReport) -> None:
    """Report rows without a geometry (a feature whose geometry is null) that no rule has
    rejected already (coordinate rules reject a CSV row's unusable point with their reason)."""
    if not len(rows):
        return
    done = {i.row for i in report.issues if i.action == "rejected"}
    for row in rows:
        if int(row) not in done:
            report.add(int(row), "geometry", "no geometry (null)", "rejected")


def plain(value: Any) -> Any:
    """A reader's value as plain Python: None for a missing one (None, NaN, pandas' NA and
    NaT), a Python scalar for a numpy one, a ``datetime`` for a pandas timestamp."""
    if value is None or type(value) in (str, int, bool, bytes):
        return value
    if isinstance(value, float):
        return None if value != value else value
    if type(value).__name__ in ("NAType", "NaTType"):
        return None
    if isinstance(value, np.generic):
        return plain(value.item())
    to_datetime = getattr(value, "to_pydatetime", None)
    return to_datetime() if to_datetime is not None else value


_INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "bigint": (-(2**63), 2**63 - 1)}
_TRUE = {"true", "t", "yes", "y", "1"}
_FALSE = {"false", "f", "no", "n", "0"}


def _integer(value: Any, kind: str) -> int:
    if isinstance(value, float):
        if not value.is_integer():
            raise ValueError("not a whole number")
        number = int(value)
    elif isinstance(value, str):
        number = int(value.strip())
    else:
        number = int(value)
    low, high = _INT_RANGES[kind]
    if not low <= number <= high:
        raise ValueError(f"out of range for a {kind} field")
    return number


def _boolean(value: Any, kind: str) -> bool:
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    text = str(value).strip().lower()
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    raise ValueError("not true or false")


_CONVERT: dict[str, tuple[type, Callable[[Any, str], Any]]] = {
    "integer": (int, _integer),
    "bigint": (int, _integer),
    "real": (float, lambda v, _: float(v)),
    "text": (str, lambda v, _: str(v)),
    "boolean": (bool, _boolean),
}


def typed_column(field: FieldSpec, values: list[Any]) -> tuple[list[Any], list[tuple[int, str]]]:
    """Values as the field's Python type (None for missing), and the (index, reason) of each
    value that is not of that type; a column already right is returned as it is."""
    wanted, convert = _CONVERT.get(field.type, (None, None))
    if wanted is None or convert is None:  # date, timestamptz, jsonb: psycopg adapts them
        return [plain(v) for v in values], []
    kinds = set(map(type, values))  # one pass in C
    unmixed = kinds <= {wanted, type(None)} and wanted is not float
    if unmixed and (wanted is not int or field.type == "bigint" or _fits_int4(values, kinds)):
        return values, []
    if wanted is float and kinds <= {float, int} and not np.isnan(np.array(values, float)).any():
        return values, []
    out: list[Any] = []
    unfit: list[tuple[int, str]] = []
    for i, value in enumerate(values):
        value = plain(value)
        if value is None or (type(value) is wanted and wanted is not int):
            out.append(value)
            continue
        try:
            out.append(convert(value, field.type))
        except (TypeError, ValueError, OverflowError) as err:
            out.append(None)
            unfit.append((i, f"{field.name} {value!r} is not {_ARTICLE[field.type]} ({err})"))
    return out, unfit


_ARTICLE = {"integer": "an integer", "bigint": "an integer", "real": "a number",
            "text": "text", "boolean": "a boolean"}  # fmt: skip


def _fits_int4(values: list[Any], kinds: set[type]) -> bool:
    """True when every value of an int column (None allowed) fits a 32-bit integer."""
    low, high = _INT_RANGES["integer"]
    if type(None) in kinds:
        values = [v for v in values if v is not None]
    return not values or (low <= min(values) and max(values) <= high)
