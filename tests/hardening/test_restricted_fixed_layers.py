"""Endpoints that read fixed layer tables (dead zones, 5G mesh, transit, shelters) refuse a
caller who may not see the layer, with the same 404 as an unknown layer, and answer its owner
as the public deployment answers everyone."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

import pytest

from gis.platform.settings import Settings
from tests.conftest import ROOT
from tests.hardening.conftest import OWNER

# endpoint -> the layer restricted for it (each endpoint is tried with just that one hidden)
ENDPOINTS = {
    "/api/deadzones/summary": "dead_zones",
    "/api/deadzones/summary?f=csv": "dead_zones",
    "/api/deadzones/districts": "dead_zones",
    "/api/deadzones/chart.svg": "dead_zones",
    "/map/deadzones": "mesh_coverage",
    "/api/mesh-coverage/rates": "mesh_coverage",
    "/api/mesh-coverage/cells": "mesh_coverage",
    "/api/mesh-coverage/chart.svg": "population_mesh",
    "/api/transit/municipalities": "transit_stops",
    "/api/transit/stops": "transit_stops",
    "/api/transit/routes": "transit_routes",
    "/api/transit/coverage": "population_mesh",
    "/map/transit": "transit_routes",
    "/shelters": "shelters",
    "/shelters?f=json": "shelters",
    "/feeds/shelters.xml": "shelters",
    "/feeds/shelters.json": "shelters",
    "/feeds/shelters/x.xml": "shelters",
    "/api/shelters/map?bbox=130,33,133,35": "shelters",
    "/api/shelters/nearest?lat=34.18&lon=131.47": "shelters",
    "/api/shelters/x/status": "shelters",
}
RESTRICTED = sorted(set(ENDPOINTS.values()))


def _restrict(text: str) -> str:
    text = re.sub(r'(?m)^owner = ".*"$', f'owner = "{OWNER}"', text)
    return re.sub(r"(?m)^public = true$", "public = false", text)


@pytest.fixture(scope="module")
def apps(
    settings: Settings, demo_loaded: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, Any]]:
    """The public app, and per layer an app whose copy of layers/ restricts that layer."""
    from webmap import close, create_app

    made = {"": create_app(settings)}
    for layer in RESTRICTED:
        target = tmp_path_factory.mktemp(f"layers-{layer}")
        for path in (ROOT / "layers").glob("*.toml"):
            text = path.read_text(encoding="utf-8")
            target.joinpath(path.name).write_text(
                _restrict(text) if path.stem == layer else text, encoding="utf-8"
            )
        made[layer] = create_app(settings.model_copy(update={"layers_dir": target}))
    yield made
    for application in made.values():
        close(application)


def _headers(staff_tokens: dict[str, str], who: str | None) -> dict[str, str]:
    return {"Authorization": f"Bearer {staff_tokens[who]}"} if who else {}


@pytest.mark.parametrize("url", list(ENDPOINTS))
@pytest.mark.parametrize("who", [None, "hofu_editor", "pref_editor"])
def test_refused_to_those_who_may_not_see_the_layer(
    apps: dict[str, Any], staff_tokens: dict[str, str], url: str, who: str | None
) -> None:
    layer = ENDPOINTS[url]
    response = apps[layer].test_client().get(url, headers=_headers(staff_tokens, who))
    assert response.status_code == 404, response.get_data(as_text=True)[:300]
    assert response.mimetype == "application/problem+json"
    detail = response.get_json()["detail"]
    assert detail.startswith(f"unknown layer {layer!r}"), detail
    assert f"'{layer}'" not in detail.split("known layers:", 1)[1]


@pytest.mark.parametrize("url", list(ENDPOINTS))
@pytest.mark.parametrize("who", ["yamaguchi_viewer", "pref_admin"])
def test_owner_sees_what_the_public_deployment_shows(
    apps: dict[str, Any], staff_tokens: dict[str, str], url: str, who: str
) -> None:
    layer = ENDPOINTS[url]
    public = apps[""].test_client().get(url)
    owner = apps[layer].test_client().get(url, headers=_headers(staff_tokens, who))
    assert owner.status_code == public.status_code, owner.get_data(as_text=True)[:300]
    assert "unknown layer" not in owner.get_data(as_text=True)
    assert owner.mimetype == public.mimetype
