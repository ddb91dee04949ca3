"""Who may see which layer: public layers for everyone, restricted ones for their owners.

A layer with ``public = false`` is visible only to signed-in users of its owning organisation
and to the admins of the prefecture it belongs to. Everywhere else it does not exist: callers
work on :func:`visible_registry`, so an unknown and a hidden layer answer the same NotFound
and no listing names a hidden layer.
"""

from __future__ import annotations

from gis.geo.lg_codes import is_prefecture, prefecture_code
from gis.layerstore.layerspec import LayerSpec
from gis.layerstore.registry import LayerRegistry
from gis.platform.auth import Principal, Role


def can_see(spec: LayerSpec, who: Principal | None) -> bool:
    """True when ``who`` (None: anonymous) may see the layer ``spec``."""
    if spec.public:
        return True
    if who is None:
        return False
    if who.org_code == spec.owner:
        return True
    return (
        who.role == Role.ADMIN
        and is_prefecture(who.org_code)
        and prefecture_code(spec.owner) == who.org_code
    )


def visible_registry(registry: LayerRegistry, who: Principal | None) -> LayerRegistry:
    """The part of the catalogue ``who`` may see, as a registry of its own."""
    specs = [spec for spec in registry if can_see(spec, who)]
    if len(specs) == len(registry):
        return registry
    return LayerRegistry(specs)
