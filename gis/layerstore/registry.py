"""Load and validate the layer files in ``layers/`` into a :class:`LayerRegistry`."""

from __future__ import annotations

import tomllib
from collections.abc import Iterator
from pathlib import Path

from pydantic import ValidationError

from gis.layerstore.layerspec import LayerKind, LayerSpec
from gis.platform.errors import LayerSpecError, NotFound


def _describe(exc: ValidationError) -> str:
    first = exc.errors()[0]
    key = ".".join(str(part) for part in first["loc"]) or "(file)"
    return f"key {key!r}: {first['msg']}"


def load_layer_file(path: Path, *, check_stem: bool = True) -> LayerSpec:
    """Parse and validate one layer file; errors name the file, the key and why (templates
    are checked without ``check_stem``: their id is replaced when they are copied)."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError as exc:
        raise LayerSpecError(f"{path}: not UTF-8 text ({exc.reason})") from exc
    except tomllib.TOMLDecodeError as exc:
        raise LayerSpecError(f"{path}: invalid TOML: {exc}") from exc
    try:
        spec = LayerSpec.model_validate(data)
    except ValidationError as exc:
        raise LayerSpecError(f"{path}: {_describe(exc)}") from exc
    if check_stem and spec.id != path.stem:
        raise LayerSpecError(
            f"{path}: key 'id': {spec.id!r} must match the file name {path.stem!r}"
        )
    return spec


class LayerRegistry:
    """Every declared layer, by id, in a stable order."""

    def __init__(self, specs: list[LayerSpec]) -> None:
        self._specs = {spec.id: spec for spec in sorted(specs, key=lambda s: s.id)}

    @classmethod
    def from_dir(cls, directory: Path) -> LayerRegistry:
        """Load every ``*.toml`` in ``directory``; the first bad file stops start-up."""
        if not directory.is_dir():
            raise LayerSpecError(f"layer directory {directory} does not exist")
        return cls([load_layer_file(path) for path in sorted(directory.glob("*.toml"))])

    def __iter__(self) -> Iterator[LayerSpec]:
        return iter(self._specs.values())

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, layer_id: object) -> bool:
        return layer_id in self._specs

    def get(self, layer_id: str) -> LayerSpec:
        """The layer called ``layer_id``; NotFound names the known ones."""
        try:
            return self._specs[layer_id]
        except KeyError:
            known = ", ".join(self._specs) or "none"
            raise NotFound(f"unknown layer {layer_id!r} (known layers: {known})") from None

    def of_kind(self, kind: LayerKind) -> list[LayerSpec]:
        """Layers of one kind, e.g. every ``shelter`` layer."""
        return [spec for spec in self if spec.kind == kind]

    def public(self) -> list[LayerSpec]:
        """Layers anonymous users may see."""
        return [spec for spec in self if spec.public]
