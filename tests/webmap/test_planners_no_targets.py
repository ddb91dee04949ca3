"""An instance made by `kasane init` has no dead-zone plan unless one is configured
(KASANE_DEADZONE_TARGETS empty): the figures, the chart and the page still answer, without a
target line."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from gis.platform.settings import Settings
from webmap import close, create_app


@pytest.fixture()
def client_without_plan(settings: Settings, demo_loaded: dict[str, str]) -> Iterator[Any]:
    app = create_app(settings.model_copy(update={"deadzone_targets": ""}))
    app.testing = True
    yield app.test_client()
    close(app)


def test_no_plan_means_no_target_and_no_error(client_without_plan: Any) -> None:
    summary = client_without_plan.get("/api/deadzones/summary?as_of=2022").get_json()
    assert summary["current"]["target"] is None
    assert summary["current"]["unresolved_districts"] == 39
    chart = client_without_plan.get("/api/deadzones/chart.svg?as_of=2022&lang=en")
    assert chart.status_code == 200 and b"target" not in chart.data
    page = client_without_plan.get("/map/deadzones")
    assert page.status_code == 200
