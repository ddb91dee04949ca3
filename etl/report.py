"""What a load did, row by row: issues, per-file counts, a human summary and a JSON report."""

from __future__ import annotations

import json
import logging
import traceback
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any, Literal

Action = Literal["rejected", "repaired", "flagged", "warning"]
log = logging.getLogger("kasane.load")


@dataclass(frozen=True)
class Issue:
    """One finding: a rejected, repaired or flagged row (or a whole-file warning)."""

    file: str
    row: int | None
    field: str | None
    reason: str
    action: Action


@dataclass
class FileReport:
    """Counts and issues of one input file."""

    name: str
    sha256: str = ""
    bytes: int = 0
    format: str = ""
    encoding: str | None = None
    crs: str | None = None
    rows_read: int = 0
    rows_loaded: int = 0
    error: str | None = None  # the whole file was rejected
    traceback: str | None = None  # for developers, when an unexpected error rejected it
    issues: list[Issue] = field(default_factory=list)

    def add(self, row: int | None, column: str | None, reason: str, action: Action) -> None:
        """Record one finding about this file."""
        self.issues.append(Issue(self.name, row, column, reason, action))

    def count(self, action: Action) -> int:
        """Number of distinct rows with at least one issue of this kind."""
        return len({i.row for i in self.issues if i.action == action and i.row is not None})

    @property
    def rows_rejected(self) -> int:
        """Rows left out of the load."""
        return self.count("rejected")

    @property
    def rows_repaired(self) -> int:
        """Rows loaded after a certain fix."""
        return self.count("repaired")


def one_line(err: BaseException) -> str:
    """An exception as one line for a person: its first line, with its type when that says
    more than the text alone (``GEOSException: …``)."""
    lines = str(err).strip().splitlines()
    text = lines[0] if lines else ""
    kind = type(err).__name__
    return f"{kind}: {text}"[:300] if text else kind


def reject_file(report: FileReport, err: BaseException) -> None:
    """Reject the whole file for an unexpected error: one line for the person loading it, the
    traceback in the JSON report and the log (not on the screen)."""
    report.error = f"cannot be read ({one_line(err)})"
    report.traceback = "".join(traceback.format_exception(err))
    log.info("%s rejected after an unexpected error", report.name, exc_info=err)


@dataclass
class LoadReport:
    """The report of one ``kasane load`` call."""

    layer: str
    dry_run: bool = False
    outcome: str = ""
    version: int | None = None
    files: list[FileReport] = field(default_factory=list)

    @property
    def rows_read(self) -> int:
        """Rows read over all files."""
        return sum(f.rows_read for f in self.files)

    @property
    def rows_loaded(self) -> int:
        """Rows that went (or, in a dry run, would go) into the layer."""
        return sum(f.rows_loaded for f in self.files)

    @property
    def rows_rejected(self) -> int:
        """Rows left out, over all files."""
        return sum(f.rows_rejected for f in self.files)

    @property
    def rows_repaired(self) -> int:
        """Rows repaired, over all files."""
        return sum(f.rows_repaired for f in self.files)

    def top_reasons(self, limit: int = 5) -> list[tuple[str, str, int]]:
        """The most frequent (action, reason) pairs with their counts."""
        counts = Counter((i.action, i.reason) for f in self.files for i in f.issues)
        return [(a, r, n) for (a, r), n in counts.most_common(limit)]

    def summary(self) -> str:
        """A few lines for a person."""
        lines = [f"{self.layer}: {self.outcome}"]
        for f in self.files:
            if f.error:
                lines.append(f"  {f.name}: rejected: {f.error}")
                continue
            enc = f" {f.encoding}" if f.encoding else ""
            crs = f" {f.crs}" if f.crs else ""
            lines.append(
                f"  {f.name} [{f.format}{enc}{crs}]: read {f.rows_read}, loaded {f.rows_loaded},"
                f" repaired {f.rows_repaired}, rejected {f.rows_rejected}"
            )
        lines.append(
            f"  total: {len(self.files)} files, read {self.rows_read}, loaded {self.rows_loaded},"
            f" repaired {self.rows_repaired}, rejected {self.rows_rejected}"
        )
        for action, reason, n in self.top_reasons():
            lines.append(f"  {n:>6} × {action}: {reason}")
        return "\n".join(lines)

    def as_json(self) -> dict[str, Any]:
        """Everything, with every issue (file, row, field, reason, action)."""
        return {
            "layer": self.layer,
            "dry_run": self.dry_run,
            "outcome": self.outcome,
            "version": self.version,
            "rows_read": self.rows_read,
            "rows_loaded": self.rows_loaded,
            "rows_repaired": self.rows_repaired,
            "rows_rejected": self.rows_rejected,
            "files": [
                {
                    **{k: v for k, v in asdict(f).items() if k != "issues"},
                    "rows_rejected": f.rows_rejected,
                    "rows_repaired": f.rows_repaired,
                    "issues": [asdict(i) for i in f.issues],
                }
                for f in self.files
            ],
        }

    def provenance_summary(self) -> dict[str, Any]:
        """A compact form for ``kasane.layer_versions.report`` (issues capped at 1000)."""
        data = self.as_json()
        for f in data["files"]:
            f["issues"] = f["issues"][:1000]
        return data

    def write(self, path: Path) -> None:
        """Write the JSON report to ``path``."""
        path.write_text(json.dumps(self.as_json(), ensure_ascii=False, indent=1), "utf-8")
