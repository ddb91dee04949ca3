"""Excel workbooks (.xlsx, also .xlsm/.xlsb/.ods) read with python-calamine.

Municipal open data is often a workbook: a title row or two above the header, header cells
that are notes (``←データの項目名を入力``), a ``#property`` first column, numbers stored as
numbers (codes lose nothing: ``352039.0`` is written back as ``352039``) and dates as dates.
Cells become text as a CSV would give them, so every source mapping and row rule applies
unchanged; the reported row numbers are the sheet's own.
"""

from __future__ import annotations

import datetime as dt
import re
from pathlib import Path

from python_calamine import CalamineError, CalamineWorkbook

from etl.readers import Table
from etl.readers.csv_text import table_from_records
from gis.platform.errors import LoadError

NOTE_HEADER = re.compile(r"^[←→↑↓※＊*]|項目名を入力|入力してください")


def _text(cell: object) -> str:
    if cell is None:
        return ""
    if isinstance(cell, bool):
        return "1" if cell else "0"
    if isinstance(cell, float) and cell.is_integer():
        return str(int(cell))
    if isinstance(cell, dt.datetime):
        return cell.date().isoformat() if cell.time() == dt.time() else cell.isoformat(" ")
    if isinstance(cell, dt.date | dt.time):
        return cell.isoformat()
    if isinstance(cell, dt.timedelta):
        return str(cell)
    return str(cell)


def sheet_names(path: Path) -> list[str]:
    """The workbook's sheets, in order."""
    try:
        return list(CalamineWorkbook.from_path(str(path)).sheet_names)
    except (CalamineError, OSError, ValueError) as err:
        raise LoadError(f"cannot read this Excel workbook (xlsx): {err}") from err


def read_sheet(path: Path, sheet: str | None = None) -> Table:
    """One sheet as a table: ``sheet`` by name, or the first that holds a table (a cover
    sheet with a title or notes only is passed over)."""
    try:
        book = CalamineWorkbook.from_path(str(path))
        names = list(book.sheet_names)
        if sheet is not None and sheet not in names:
            raise LoadError(
                f"the workbook has no sheet {sheet!r}", hint=f"sheets: {', '.join(names)}"
            )
        problems: list[str] = []
        for name in [sheet] if sheet is not None else names:
            rows = book.get_sheet_by_name(name).to_python(skip_empty_area=False)
            records = [(i, [_text(c) for c in r]) for i, r in enumerate(rows, start=1)]
            try:
                table = table_from_records(_without_notes(records), None)
            except LoadError as err:
                problems.append(f"{name}: {err.message}")
                continue
            if sheet is None and len(names) > 1:
                table.warnings.append(f"read sheet {name!r} of {', '.join(names)} (--sheet)")
            return table
    except (CalamineError, OSError, ValueError) as err:
        raise LoadError(f"cannot read this Excel workbook (xlsx): {err}") from err
    raise LoadError(f"no sheet holds a table ({'; '.join(problems)})", hint="give --sheet")


def _without_notes(records: list[tuple[int, list[str]]]) -> list[tuple[int, list[str]]]:
    """Records with note cells (``←データの項目名を入力``) blanked and a ``#property`` first
    column (a row-label column of some templates) dropped."""
    cleaned = [
        (n, ["" if NOTE_HEADER.search(c.strip()) else c for c in cells]) for n, cells in records
    ]
    labels = [cells[0].strip().lower() for _, cells in cleaned[:10] if cells]
    if any(label.startswith("#prop") for label in labels):
        cleaned = [(n, cells[1:]) for n, cells in cleaned]
    return cleaned
