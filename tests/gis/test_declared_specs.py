"""Declared source mappings in layer files: what is refused, and run-time re-reading."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from gis.layerstore.layer_files import LayerFiles
from gis.layerstore.registry import LayerRegistry, load_layer_file
from gis.platform.errors import LayerSpecError

ROOT = Path(__file__).resolve().parents[2]
BASE = """id = "spots"
kind = "facility"
geometry = "Point"
owner = "352039"
title = { ja = "地点", en = "Spots" }
description = { ja = "説明", en = "About" }
license = { name = "CC BY 4.0", attribution = { ja = "出典", en = "Source" } }
"""
FIELD = """
[[fields]]
name = "name"
type = "%s"
title = { ja = "名称", en = "Name" }
source = %s
"""


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "spots.toml"
    path.write_text(text, "utf-8")
    return path


@pytest.mark.parametrize(
    ("source", "field", "message"),
    [
        (
            "",
            'source = { columns = ["名称"] }',
            "key '(file)': Value error, fields ['name'] declare",
        ),
        ('[source]\ngeometry = "wkt"\n', 'source = { columns = ["名称"] }', "needs columns"),
        (
            '[source]\ngeometry = "teleport"\n',
            'source = { columns = ["名称"] }',
            "key 'source.geometry'",
        ),
        ("[source]\n", 'source = { columns = ["名称"], parse = "enum" }', "needs a map"),
        (
            "[source]\n",
            'source = { columns = ["名称"], parse = "date" }',
            "cannot feed a text field",
        ),
        ("[source]\n", "source = { columns = [] }", "key 'fields.0.source.columns'"),
        ("[source]\n", 'source = { columns = ["名称"], pase = "date" }', "fields.0.source.pase"),
    ],
)
def test_bad_declarations_name_the_key(
    tmp_path: Path, source: str, field: str, message: str
) -> None:
    text = BASE + source + FIELD.replace("source = %s", field) % "text"
    with pytest.raises(LayerSpecError) as err:
        load_layer_file(_write(tmp_path, text))
    assert str(err.value).startswith(f"{tmp_path / 'spots.toml'}: key")
    assert message in str(err.value)


def test_generic_kinds_need_a_declared_source(tmp_path: Path) -> None:
    text = BASE + '\n[[fields]]\nname = "name"\ntype = "text"\ntitle = { ja = "a", en = "b" }\n'
    with pytest.raises(LayerSpecError, match="kind 'facility' needs a \\[source\\] table"):
        load_layer_file(_write(tmp_path, text))
    lines = BASE.replace('"Point"', '"MultiLineString"') + '[source]\ngeometry = "latlon"\n'
    with pytest.raises(LayerSpecError, match="gives points, not MultiLineString"):
        load_layer_file(_write(tmp_path, lines + FIELD % ("text", '{ columns = ["名称"] }')))


def test_a_broken_file_keeps_the_previous_layer_and_the_others(tmp_path: Path) -> None:
    layers = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", layers, ignore=shutil.ignore_patterns("templates", "*.md"))
    files = LayerFiles(layers, LayerRegistry.from_dir(layers))
    before = {spec.id for spec in files.current()}
    good = BASE + "[source]\n" + FIELD % ("text", '{ columns = ["名称"] }')
    (layers / "spots.toml").write_text(good, "utf-8")
    files.reload()
    assert {s.id for s in files.registry} == before | {"spots"} and files.errors == []
    (layers / "spots.toml").write_text(good.replace('"facility"', '"nope"'), "utf-8")
    (layers / "shelters.toml").write_text("id = ", "utf-8")
    (layers / "new.toml").write_text('id = "new"\n', "utf-8")
    files.reload()
    assert {s.id for s in files.registry} == before | {"spots"}
    assert files.registry.get("spots").kind == "facility"  # the previous definition
    assert [e.split(": ")[0] for e in files.errors] == [
        str(layers / n) for n in ("new.toml", "shelters.toml", "spots.toml")
    ]
    assert "key 'kind'" in files.errors[2] and "invalid TOML" in files.errors[1]


def test_changed_files_are_noticed_without_being_told(tmp_path: Path) -> None:
    layers = tmp_path / "layers"
    shutil.copytree(ROOT / "layers", layers, ignore=shutil.ignore_patterns("templates", "*.md"))
    files = LayerFiles(layers, LayerRegistry.from_dir(layers))
    (layers / "spots.toml").write_text(
        BASE + "[source]\n" + FIELD % ("text", '{ columns = ["a"] }')
    )
    files._checked -= 10  # as if the last look was long ago (no sleeping in tests)
    assert "spots" in files.current()
    os.remove(layers / "spots.toml")
    assert "spots" in files.current()  # looked just now: the next look is due later
    assert "spots" in files.current(epoch=5)  # the listener's count, first seen
    assert "spots" not in files.current(epoch=6)  # told (`kasane layers reload`): re-read now
