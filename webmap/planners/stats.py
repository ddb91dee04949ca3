"""``/stats``: how the platform is used — page views and layer requests per day."""

from __future__ import annotations

from typing import Any

from flask import Blueprint, jsonify, render_template

from gis.planning import usage
from gis.platform.errors import BadRequest
from webmap import access, db
from webmap.i18n import current_lang
from webmap.planners import charts
from webmap.responses import int_arg, output_format, svg_response
from webmap.usage_counting import flush_now

bp = Blueprint("stats", __name__)
DEFAULT_DAYS = 30


def _days() -> int:
    days = int_arg("days")
    if days is None:
        return DEFAULT_DAYS
    if not 1 <= days <= 366:
        raise BadRequest(f"days must be from 1 to 366, not {days}")
    return days


def _usage(days: int) -> dict[str, Any]:
    visible = access.registry()
    flush_now()  # this process's own counts; other workers' follow within the flush interval
    with db.connection() as conn:
        return {
            "days": usage.daily_totals(conn, days),
            "pages": usage.top(conn, "page", days),
            "layers": [(k, n) for k, n in usage.top(conn, "layer", days) if k in visible],
        }


@bp.get("/stats")
def stats_page() -> Any:
    """Daily totals with a chart, and the most used pages and layers."""
    fmt = output_format("html", "json")
    days = _days()
    data = _usage(days)
    if fmt == "json":
        return jsonify(
            {
                "days": [
                    {"day": d.day.isoformat(), "pages": d.pages, "layers": d.layers}
                    for d in data["days"]
                ],
                "pages": [{"page": k, "hits": n} for k, n in data["pages"]],
                "layers": [{"layer": k, "hits": n} for k, n in data["layers"]],
            }
        )
    return render_template("planners/stats.html", period=days, **data)


@bp.get("/stats/chart.svg")
def stats_chart() -> Any:
    """Page views per day as an SVG bar chart."""
    days = _usage(_days())["days"]
    ja = current_lang() != "en"
    listed = ", ".join(f"{d.day.isoformat()}: {d.pages}" for d in days)
    return svg_response(
        charts.bar_chart(
            tuple(d.day.strftime("%m-%d") for d in days),
            tuple(d.pages for d in days),
            percent=False,
            title="1日あたりのページ閲覧数" if ja else "Page views per day",
            desc=("日ごとのページ閲覧数: " if ja else "Page views per day: ") + listed,
        )
    )
