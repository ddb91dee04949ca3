"""CQL2 JSON -> a SQL condition on a layer version table, composed with :mod:`psycopg.sql`.

Identifiers come only from the layer's declared, filterable fields (and ``geometry``, the
version's ``geom`` column); every value is a bind parameter. Operators are a closed list: an
operation not handled here is refused with a 400 naming it, so nothing the parser accepts can
reach the database unchecked. Values must have the type of the field they are compared with
(``capacity > 'x'`` is a 400, not a database error).

Supported: ``AND OR NOT``, ``= <> < <= > >=``, ``LIKE`` (``%`` ``_``, backslash escapes, as
the standard), ``IN``, ``BETWEEN``, ``IS NULL``, ``CASEI`` on text, dates and timestamps
(``T_BEFORE``/``T_AFTER``/``T_EQUALS`` on instants), property–property comparisons and the
spatial predicates ``S_INTERSECTS S_WITHIN S_CONTAINS S_DISJOINT S_EQUALS S_TOUCHES
S_OVERLAPS S_CROSSES`` and ``S_DWITHIN`` (distance in metres) with geometry literals in
``filter-crs``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

import numpy
import shapely
from psycopg import sql
from shapely.geometry import box, shape

from gis.layerstore.layerspec import FieldSpec, LayerSpec
from gis.ogc.output_crs import DEFAULT, OutputCrs
from gis.platform.errors import BadRequest

GEOMETRY_NAMES = ("geometry", "geom")
_COMPARE = {"=": "=", "<>": "<>", "<": "<", "<=": "<=", ">": ">", ">=": ">=",
            "t_equals": "=", "t_before": "<", "t_after": ">"}  # fmt: skip
_SPATIAL = {
    op: f"ST_{op[2:].capitalize()}"
    for op in ("s_intersects", "s_within", "s_contains", "s_disjoint", "s_equals", "s_touches",
               "s_overlaps", "s_crosses")
}  # fmt: skip
_METRES = {"meters", "metres", "m", "meter", "metre"}
_NUMERIC = ("integer", "bigint", "real")


@dataclass
class SqlFilter:
    """A translated filter: the condition, its parameters and what it reads."""

    condition: sql.Composable
    params: dict[str, Any] = field(default_factory=dict)
    fields: set[str] = field(default_factory=set)
    spatial: bool = False
    leading_wildcard: set[str] = field(default_factory=set)  # text fields LIKE '%…'


@dataclass
class _Translator:
    layer: LayerSpec
    crs: OutputCrs
    prefix: str
    alias: str | None
    out: SqlFilter = field(default_factory=lambda: SqlFilter(sql.SQL("")))

    def param(self, value: Any) -> sql.Placeholder:
        name = f"{self.prefix}{len(self.out.params)}"
        self.out.params[name] = value
        return sql.Placeholder(name)

    def column(self, name: str) -> sql.Identifier:
        return sql.Identifier(self.alias, name) if self.alias else sql.Identifier(name)

    # -- operands -----------------------------------------------------------------------
    def field_of(self, node: Any) -> FieldSpec | None:
        """The field a ``{"property": …}`` (or ``casei`` of one) names, None for a literal."""
        if isinstance(node, dict) and "property" in node:
            name = node["property"]
            try:
                spec = self.layer.field(name)
            except KeyError:
                known = ", ".join(f.name for f in self.layer.fields if f.filterable)
                raise BadRequest(
                    f"filter: unknown property {str(name)[:60]!r} (queryables: {known}, geometry)"
                ) from None
            if not spec.filterable or spec.type == "jsonb":
                raise BadRequest(f"filter: property {spec.name!r} cannot be used in a filter")
            self.out.fields.add(spec.name)
            return spec
        if isinstance(node, dict) and str(node.get("op", "")).lower() == "casei":
            return self.field_of((node.get("args") or [None])[0])
        return None

    def operand(self, node: Any, spec: FieldSpec) -> sql.Composable:
        """A property, ``CASEI(…)`` or a literal of ``spec``'s type."""
        if isinstance(node, dict) and str(node.get("op", "")).lower() == "casei":
            inner = (node.get("args") or [None])[0]
            if spec.type != "text":
                raise BadRequest(f"filter: CASEI applies to text, not {spec.name!r}")
            return sql.SQL("lower({})").format(self.operand(inner, spec))
        other = self.field_of(node)
        if other is not None:
            if _family(other) != _family(spec):
                raise BadRequest(
                    f"filter: {spec.name!r} ({spec.type}) cannot be compared with"
                    f" {other.name!r} ({other.type})"
                )
            return self.column(other.name)
        return self.param(_literal(node, spec))

    # -- conditions ---------------------------------------------------------------------
    def condition(self, node: Any) -> sql.Composable:
        if isinstance(node, dict) and "property" in node:
            spec = self.field_of(node)
            if spec is None or spec.type != "boolean":
                raise BadRequest("filter: a property alone must be a boolean (hz_flood = true)")
            return sql.SQL("({} IS TRUE)").format(self.column(spec.name))
        if not isinstance(node, dict) or not isinstance(node.get("op"), str):
            raise BadRequest(f"filter: {_show(node)} is not a condition")
        op = node["op"].lower()
        args = node.get("args")
        if not isinstance(args, list):
            raise BadRequest(f"filter: {op} needs a list of arguments")
        if op == "literal" and args in ([True], [False]):
            return sql.SQL("TRUE" if args[0] else "FALSE")
        if op in ("and", "or") and len(args) >= 2:
            joined = sql.SQL(f" {op.upper()} ").join(self.condition(a) for a in args)
            return sql.SQL("({})").format(joined)
        if op == "not" and len(args) == 1:
            return sql.SQL("(NOT {})").format(self.condition(args[0]))
        if op in _COMPARE and len(args) == 2:
            return self.compare(_COMPARE[op], args[0], args[1])
        if op == "like" and len(args) == 2:
            return self.like(args[0], args[1])
        if op == "in" and len(args) == 2 and isinstance(args[1], list):
            return self.in_list(args[0], args[1])
        if op == "between" and len(args) == 3:
            spec = self.subject(args[0], "BETWEEN")
            return sql.SQL("({} BETWEEN {} AND {})").format(
                self.operand(args[0], spec), self.operand(args[1], spec),
                self.operand(args[2], spec),
            )  # fmt: skip
        if op == "isnull" and len(args) == 1:
            return sql.SQL("({} IS NULL)").format(self.operand(args[0], self.subject(args[0])))
        if op in _SPATIAL and len(args) == 2:
            return self.spatial(_SPATIAL[op], args[0], args[1])
        if op == "s_dwithin" and len(args) == 4:
            return self.dwithin(args)
        raise BadRequest(
            f"filter: the operation {op.upper()!r} with {len(args)} arguments is not supported"
        )

    def subject(self, node: Any, what: str = "IS NULL") -> FieldSpec:
        spec = self.field_of(node)
        if spec is None:
            raise BadRequest(f"filter: {what} needs a property on its left, not {_show(node)}")
        return spec

    def compare(self, operator: str, left: Any, right: Any) -> sql.Composable:
        for side in (left, right):
            op = side.get("op") if isinstance(side, dict) else None
            if isinstance(op, str) and op.lower() != "casei":
                raise BadRequest(f"filter: the operation {op.upper()[:40]!r} is not supported")
        spec = self.field_of(left) or self.field_of(right)
        if spec is None:
            raise BadRequest(f"filter: compare a property, not {_show(left)} and {_show(right)}")
        if spec.type == "boolean" and operator not in ("=", "<>"):
            raise BadRequest(f"filter: {spec.name!r} is true/false: use = or <>")
        return sql.SQL("({} {} {})").format(
            self.operand(left, spec), sql.SQL(operator), self.operand(right, spec)
        )

    def like(self, left: Any, pattern: Any) -> sql.Composable:
        spec = self.subject(left, "LIKE")
        if spec.type != "text":
            raise BadRequest(f"filter: LIKE applies to text, not {spec.name!r} ({spec.type})")
        if isinstance(pattern, str) and pattern[:1] in ("%", "_"):
            self.out.leading_wildcard.add(spec.name)
        return sql.SQL("({} LIKE {} ESCAPE '\\')").format(
            self.operand(left, spec), self.operand(pattern, spec)
        )

    def in_list(self, left: Any, values: list[Any]) -> sql.Composable:
        spec = self.subject(left, "IN")
        if not values:
            raise BadRequest("filter: IN needs at least one value")
        items = sql.SQL(", ").join(self.operand(v, spec) for v in values)
        return sql.SQL("({} IN ({}))").format(self.operand(left, spec), items)

    def geometry(self, node: Any) -> sql.Composable:
        """A geometry literal in ``filter-crs`` as a bound WKB, in EPSG:4326."""
        try:
            geom = box(*node["bbox"][:4]) if "bbox" in node else shape(node)
        except (KeyError, TypeError, ValueError, AttributeError, shapely.errors.ShapelyError):
            raise BadRequest(f"filter: {_show(node)} is not a geometry") from None
        coords = shapely.get_coordinates(geom)
        if geom.is_empty or not bool(numpy.isfinite(coords).all()):
            raise BadRequest("filter: geometry literals must be non-empty with finite numbers")
        if not geom.is_valid:
            why = shapely.is_valid_reason(geom)
            raise BadRequest(f"filter: the geometry literal is not valid ({why})")
        if self.crs.north_first:
            geom = shapely.transform(geom, lambda xy: xy[:, ::-1])
        value = sql.SQL("ST_GeomFromWKB({}, {})").format(
            self.param(shapely.to_wkb(geom)), sql.Literal(self.crs.srid)
        )
        if self.crs.srid != 4326:
            value = sql.SQL("ST_Transform({}, 4326)").format(value)
        return value

    def geom_column(self, node: Any) -> sql.Composable | None:
        if isinstance(node, dict) and node.get("property") in GEOMETRY_NAMES:
            self.out.spatial = True
            return self.column("geom")
        return None

    def spatial(self, function: str, left: Any, right: Any) -> sql.Composable:
        a, b = self.geom_column(left), self.geom_column(right)
        if (a is None) == (b is None):
            raise BadRequest(f"filter: {function} compares the property 'geometry' with a shape")
        first = a if a is not None else self.geometry(left)
        second = b if b is not None else self.geometry(right)
        return sql.SQL("{}({}, {})").format(sql.SQL(function), first, second)

    def dwithin(self, args: list[Any]) -> sql.Composable:
        column = self.geom_column(args[0])
        units = args[3].get("property") if isinstance(args[3], dict) else args[3]
        distance = args[2]
        if column is None or str(units).lower() not in _METRES:
            raise BadRequest("filter: write S_DWITHIN(geometry, <shape>, <distance>, meters)")
        if not isinstance(distance, int | float) or not 0 <= distance <= 100_000:
            raise BadRequest("filter: S_DWITHIN distance must be 0-100000 metres")
        shape = self.geometry(args[1])
        metres = self.param(float(distance))
        # the GiST index answers a box around the shape (degrees per metre at its farthest
        # latitude, 1 % wider); the geodesic test then runs only on the rows in it
        box_around = sql.SQL(
            "{col} && ST_Expand({g}, {d} * 1.01 / (111320 * cos(radians(least(85,"
            " greatest(abs(ST_YMin({g})), abs(ST_YMax({g}))))))), {d} * 1.01 / 110574)"
        ).format(col=column, g=shape, d=metres)
        return sql.SQL("({} AND ST_DWithin({}::geography, {}::geography, {}))").format(
            box_around, column, shape, metres
        )


def _family(spec: FieldSpec) -> str:
    return "number" if spec.type in _NUMERIC else spec.type


def _show(node: Any) -> str:
    return repr(node)[:80]


def _literal(node: Any, spec: FieldSpec) -> Any:
    """A literal converted to ``spec``'s type; BadRequest naming both when it does not fit."""
    kind = spec.type
    if node is None:
        raise BadRequest(f"filter: compare {spec.name!r} with IS NULL, not with NULL")
    if kind in _NUMERIC and isinstance(node, int | float) and not isinstance(node, bool):
        if not math.isfinite(node):
            raise BadRequest("filter: numbers must be finite")
        if kind != "real" and float(node).is_integer() and abs(node) < 2**63:
            return int(node)
        return float(node)
    if kind == "text" and isinstance(node, str):
        return node
    if kind == "boolean" and isinstance(node, bool):
        return node
    if kind == "boolean" and isinstance(node, int | float) and node in (0, 1):
        return bool(node)  # GDAL's OGR SQL writes booleans as 0/1
    if kind in ("date", "timestamptz") and isinstance(node, dict | str):
        # an ISO string is taken as DATE('…')/TIMESTAMP('…'), as GDAL and most servers do
        text = node if isinstance(node, str) else node.get("date") or node.get("timestamp")
        try:
            if kind == "date" and (isinstance(node, str) or "date" in node):
                return date.fromisoformat(str(text))
            if kind == "timestamptz":
                moment = datetime.fromisoformat(str(text).replace("Z", "+00:00"))
                if moment.tzinfo is None:
                    raise ValueError("timestamps need a time zone (Z or +09:00)")
                return moment
        except ValueError as exc:
            raise BadRequest(f"filter: {text!r} is not a valid {kind} ({exc})") from None
    raise BadRequest(f"filter: {spec.name!r} is {kind}; {_show(node)} is not a {kind} value")


def to_sql(
    expr: dict[str, Any],
    layer: LayerSpec,
    crs: OutputCrs = DEFAULT,
    *,
    prefix: str = "cql_",
    alias: str | None = None,
) -> SqlFilter:
    """The SQL condition of a parsed filter (``gis.ogc.cql2_parse.parse_filter``) on ``layer``.

    Parameter names start with ``prefix``; columns are qualified with ``alias`` when given.
    """
    translator = _Translator(layer, crs, prefix, alias)
    condition = translator.condition(expr)
    out = translator.out
    out.condition = condition
    return out
