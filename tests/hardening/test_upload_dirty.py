"""Dirty rows in an upload get the same rules as `kasane load`: 3D points dropped to 2D
(repaired), a point far outside its municipality rejected with the distance, and the report
that goes back to the caller never holds a traceback."""

from __future__ import annotations

import json
from typing import Any

from tests.hardening.uploads import LAYER, post, served


def test_upload_repairs_and_rejects_with_reasons(
    upload_app: Any, staff_tokens: dict[str, str], restricted_loaded: dict[str, Any],
    database_url: str,
) -> None:  # fmt: skip
    lon, lat = restricted_loaded["point"]
    features = [
        {"type": "Feature", "properties": {"name": "3D", "lg_code": "352039"},
         "geometry": {"type": "Point", "coordinates": [lon, lat, 42.0]}},
        {"type": "Feature", "properties": {"name": "typo", "lg_code": "352039"},
         "geometry": {"type": "Point", "coordinates": [lon + 8, lat]}},
    ]  # fmt: skip
    body = json.dumps({"type": "FeatureCollection", "features": features}).encode()
    before = served(database_url, LAYER)
    client = upload_app.test_client()
    answer = post(client, staff_tokens["yamaguchi_editor"], [(body, "dirty.geojson")],
                  dry_run="true")  # fmt: skip
    assert answer.status_code == 200, answer.get_data(as_text=True)
    report = answer.get_json()
    issues = {i["row"]: (i["action"], i["reason"]) for i in report["files"][0]["issues"]}
    assert issues[1] == ("repaired", "3D coordinates (z) dropped: layers are 2D")
    assert issues[2][0] == "rejected" and "km outside 山口市 (352039)" in issues[2][1]
    assert report["rows_loaded"] == 1
    assert all("traceback" not in f for f in report["files"])
    assert served(database_url, LAYER) == before
