"""Shared helpers of the residents tests: the demo frames, status reset, token headers."""

from __future__ import annotations

from typing import Any

from gis.platform.db import connect
from tests.demo import demo_frames


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def shelter_of(lg_code: str, index: int = 0) -> dict[str, Any]:
    frame = demo_frames()["shelters"]
    row = frame[frame["lg_code"] == lg_code].iloc[index]
    return {"shelter_id": row["shelter_id"], "lg_code": lg_code, "name": row["name"]}


def statuses(database_url: str) -> dict[str, str]:
    """The current status of every reported shelter, read straight from the table."""
    with connect(database_url) as conn:
        rows = conn.execute("SELECT shelter_id, status FROM kasane.shelter_status").fetchall()
    return {str(a): str(b) for a, b in rows}
