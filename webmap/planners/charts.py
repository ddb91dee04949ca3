"""Server-side SVG charts (matplotlib's SVG backend), each with a <title> and <desc>.

Text stays text (``svg.fonttype = none``), so the browser draws Japanese with its own fonts and
screen readers and search can read the labels. Pages always show the same numbers in a table.
Drawing takes tens of milliseconds, so charts are memoised on their (tuple) arguments: the same
figures give the same SVG without drawing again.
"""

from __future__ import annotations

import io
import re
import warnings
from collections.abc import Sequence
from functools import lru_cache
from html import escape

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure
from matplotlib.ticker import MaxNLocator, PercentFormatter

BLUE, VERMILION, GREY = "#0072B2", "#B84A00", "#4A4A4A"  # ≥ 3:1 against white (WCAG 1.4.11)
# Set once for the process: Kasane draws nothing else with matplotlib. Figures are made with
# Figure() rather than pyplot, which keeps global state and is not thread-safe.
matplotlib.rcParams.update(
    {
        "svg.fonttype": "none",
        "svg.hashsalt": "kasane",  # stable ids: the same data gives the same bytes
        "font.family": "sans-serif",
        "font.size": 11,
    }
)


def _svg(fig: Figure, title: str, desc: str) -> str:
    buffer = io.StringIO()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # glyph warnings: the browser, not matplotlib, draws text
        fig.savefig(buffer, format="svg", bbox_inches="tight", metadata={"Date": None})
    text = buffer.getvalue()
    text = text[text.index("<svg") :]  # drop the XML prolog and DOCTYPE
    head = (
        f'<svg role="img" aria-labelledby="chart-title chart-desc"'
        f'><title id="chart-title">{escape(title)}</title>'
        f'<desc id="chart-desc">{escape(desc)}</desc>'
    )
    opening = re.match(r"<svg([^>]*)>", text)
    if opening is None:
        raise RuntimeError("matplotlib wrote no <svg> element")
    return head.replace("<svg", f"<svg{opening.group(1)}", 1) + text[opening.end() :]


def _figure() -> tuple[Figure, Axes]:
    fig = Figure(figsize=(7.2, 3.6), dpi=100)
    ax = fig.add_subplot()
    for side in ("top", "right"):
        ax.spines[side].set_visible(False)
    ax.grid(axis="y", color="#DDDDDD", linewidth=0.8)
    ax.set_axisbelow(True)
    return fig, ax


@lru_cache(maxsize=128)  # arguments must be hashable: pass tuples
def line_chart(
    years: Sequence[int],
    counts: Sequence[int],
    targets: Sequence[float | None],
    *,
    labels: tuple[str, str, str],
    marked_year: int | None,
    title: str,
    desc: str,
) -> str:
    """Counts per year as a line, the target as a dashed line, the chosen year marked."""
    fig, ax = _figure()
    ax.plot(years, counts, color=VERMILION, marker="o", linewidth=2.2, label=labels[0])
    target_points = [(y, t) for y, t in zip(years, targets, strict=True) if t is not None]
    if target_points:
        ty, tv = zip(*target_points, strict=True)
        ax.plot(ty, tv, color=BLUE, linestyle="--", marker="s", linewidth=1.8, label=labels[1])
    if marked_year is not None:
        ax.axvline(marked_year, color=GREY, linewidth=1, linestyle=":", label=labels[2])
    ax.set_xticks(list(years))
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    ax.legend(frameon=False, loc="upper right")
    return _svg(fig, title, desc)


@lru_cache(maxsize=128)
def bar_chart(
    categories: Sequence[str],
    values: Sequence[float],
    *,
    percent: bool,
    title: str,
    desc: str,
) -> str:
    """One bar per category (a year or a day); ``percent`` formats 0..1 values as %."""
    fig, ax = _figure()
    ax.bar(list(categories), list(values), color=BLUE, width=0.6)
    if percent:
        ax.set_ylim(0, 1)
        ax.yaxis.set_major_formatter(PercentFormatter(1.0))
    else:
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if len(categories) > 10:
        ax.tick_params(axis="x", labelrotation=60)
    return _svg(fig, title, desc)
