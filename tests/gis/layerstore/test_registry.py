"""Layer files: a good one loads; a broken one is refused with the file and the key named."""

from __future__ import annotations

from pathlib import Path

import pytest

from gis.layerstore.layerspec import GeometryType, LayerKind
from gis.layerstore.registry import LayerRegistry, load_layer_file
from gis.platform.errors import LayerSpecError

GOOD = """\
id = "test_layer"
kind = "shelter"
geometry = "Point"
min_zoom = 10
owner = "350001"

[title]
ja = "テスト"
en = "Test"

[description]
ja = "テスト用のレイヤ"
en = "A layer for tests"

[license]
name = "CC BY 4.0"

[license.attribution]
ja = "出典: テスト"
en = "Source: test"

[style]
property = "kind"

[[style.classes]]
value = "both"
color = "#5E3C99"
label = { ja = "両方", en = "Both" }

[[fields]]
name = "name"
type = "text"
required = true
title = { ja = "名称", en = "Name" }

[[fields]]
name = "kind"
type = "text"
title = { ja = "種別", en = "Kind" }
"""


def write(directory: Path, text: str, stem: str = "test_layer") -> Path:
    path = directory / f"{stem}.toml"
    path.write_text(text, encoding="utf-8")
    return path


def broken(old: str, new: str) -> str:
    assert old in GOOD, old
    return GOOD.replace(old, new, 1)


def test_good_file_loads(tmp_path: Path) -> None:
    spec = load_layer_file(write(tmp_path, GOOD))
    assert spec.id == "test_layer"
    assert spec.kind is LayerKind.SHELTER
    assert spec.geometry is GeometryType.POINT
    assert spec.field_names == ["name", "kind"]
    assert spec.field("name").required is True
    assert spec.style.classes[0].label.get("en") == "Both"
    assert (spec.min_zoom, spec.max_zoom, spec.public) == (10, 18, True)
    registry = LayerRegistry.from_dir(tmp_path)
    assert [s.id for s in registry] == ["test_layer"]
    assert registry.get("test_layer") == spec


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(broken("min_zoom = 10", "min_zom = 10"), "key 'min_zom'", id="typo-top-level"),
        pytest.param(
            broken("required = true", "requierd = true"), "key 'fields.0.requierd'", id="typo-field"
        ),
        pytest.param(
            broken('color = "#5E3C99"', 'color = "purple"'),
            "key 'style.classes.0.color'",
            id="colour-name",
        ),
        pytest.param(
            broken('color = "#5E3C99"', 'color = "#5E3C9"'),
            "key 'style.classes.0.color'",
            id="colour-short",
        ),
        pytest.param(
            broken('owner = "350001"', 'owner = "350002"'), "key 'owner'", id="owner-check-digit"
        ),
        pytest.param(
            broken('owner = "350001"', 'owner = "35000"'), "key 'owner'", id="owner-5-digits"
        ),
        pytest.param(
            broken('kind = "shelter"', 'kind = "shelters"'), "key 'kind'", id="unknown-kind"
        ),
        pytest.param(
            broken('property = "kind"', 'property = "knd"'),
            "style.property 'knd'",
            id="style-property",
        ),
    ],
)
def test_invalid_key_names_file_and_key(tmp_path: Path, text: str, expected: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(LayerSpecError) as caught:
        load_layer_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert expected in message


def test_id_must_match_file_name(tmp_path: Path) -> None:
    path = write(tmp_path, GOOD, stem="other_name")
    with pytest.raises(LayerSpecError) as caught:
        load_layer_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "key 'id'" in message
    assert "other_name" in message


def test_invalid_toml_names_file(tmp_path: Path) -> None:
    path = write(tmp_path, broken('en = "Test"', 'en = "Test'))
    with pytest.raises(LayerSpecError) as caught:
        load_layer_file(path)
    message = str(caught.value)
    assert str(path) in message
    assert "invalid TOML" in message
    assert "line 9" in message


def test_not_utf8_names_file(tmp_path: Path) -> None:
    path = tmp_path / "test_layer.toml"
    path.write_bytes(GOOD.encode("cp932"))
    with pytest.raises(LayerSpecError) as caught:
        load_layer_file(path)
    assert str(path) in str(caught.value)
    assert "UTF-8" in str(caught.value)


def test_one_bad_file_stops_the_registry(tmp_path: Path) -> None:
    write(tmp_path, GOOD)
    bad = write(
        tmp_path,
        GOOD.replace('id = "test_layer"', 'id = "zz_bad"').replace("#5E3C99", "#XYZXYZ"),
        "zz_bad",
    )
    with pytest.raises(LayerSpecError) as caught:
        LayerRegistry.from_dir(tmp_path)
    assert str(bad) in str(caught.value)
    assert "style.classes.0.color" in str(caught.value)


def test_missing_directory(tmp_path: Path) -> None:
    with pytest.raises(LayerSpecError, match="does not exist"):
        LayerRegistry.from_dir(tmp_path / "nowhere")
