"""Read a CQL2 filter (``cql2-text`` or ``cql2-json``) into its JSON form, within cost limits.

Parsing is done by the ``cql2`` package (a Rust parser of the OGC grammar, see docs/api.md);
what comes back is the standard's JSON encoding (``{"op": …, "args": […]}``), which
:mod:`gis.ogc.cql2_sql` turns into SQL. The Rust parser recurses once per nesting level and
overflows its stack (killing the whole worker, not raising) somewhere between 1,000 and
3,000 levels of parentheses, ``NOT``\\s or signs, so the text is scanned for those *before* it
reaches the parser, and JSON is parsed by Python's own reader and measured first.

Every limit is a module constant named in the 400 that enforces it.
"""

from __future__ import annotations

import json
import math
import re
from typing import Any

import cql2

from gis.platform.errors import BadRequest

MAX_FILTER_CHARS = 20_000
MAX_DEPTH = 20  # nesting of parentheses / JSON operations
MAX_PREDICATES = 50  # comparisons, LIKEs, INs, spatial tests … in one filter
MAX_NOTS = 20
MAX_IN_VALUES = 200
MAX_VERTICES = 1_000  # over all geometry literals of a filter
LANGS = ("cql2-text", "cql2-json")
# the drafts' name of cql2-text, which GDAL up to 3.6 sends (its CQL is CQL2-text compatible)
ALIASES = {"cql-text": "cql2-text"}
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*|\S")
_LOGICAL = {"and", "or", "not"}


def _limit(what: str, limit: int, name: str) -> BadRequest:
    return BadRequest(f"filter: {what} (the limit {name} is {limit:,})")


def _scan_text(text: str) -> None:
    """Nesting depth, ``NOT``\\s and runs of signs outside quoted strings and identifiers."""
    depth = nots = 0
    quote = ""
    last = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == quote:
                quote = ""
            i += 1
            continue
        if ch in "'\"":
            quote = ch
        elif ch == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise _limit("parentheses are nested too deeply", MAX_DEPTH, "MAX_DEPTH")
        elif ch == ")":
            depth = max(0, depth - 1)
        elif ch in "+-" and last in ("+", "-"):
            raise BadRequest("filter: two signs in a row (write one sign before a number)")
        elif ch.isalpha() or ch == "_":
            word = _WORD.match(text, i)
            assert word is not None
            if word.group(0).upper() == "NOT":
                nots += 1
                if nots > MAX_NOTS:
                    raise _limit("too many NOTs", MAX_NOTS, "MAX_NOTS")
            i = word.end()
            last = "w"
            continue
        if not ch.isspace():
            last = ch
        i += 1


def _measure(node: Any, depth: int, counts: dict[str, int]) -> None:
    """Depth, predicates, IN values and vertices of a JSON filter (raising past a limit)."""
    if depth > MAX_DEPTH:
        raise _limit("operations are nested too deeply", MAX_DEPTH, "MAX_DEPTH")
    if isinstance(node, list):
        if len(node) > MAX_IN_VALUES:
            raise _limit(f"a list has {len(node):,} values", MAX_IN_VALUES, "MAX_IN_VALUES")
        for item in node:
            _measure(item, depth + 1, counts)
    elif isinstance(node, dict):
        if "coordinates" in node or "bbox" in node or "geometries" in node:
            counts["vertices"] += _vertices(node)
            if counts["vertices"] > MAX_VERTICES:
                raise _limit("the geometries have too many vertices", MAX_VERTICES, "MAX_VERTICES")
            return
        op = node.get("op")
        if isinstance(op, str) and op.lower() not in _LOGICAL:
            counts["predicates"] += 1
            if counts["predicates"] > MAX_PREDICATES:
                raise _limit("too many conditions", MAX_PREDICATES, "MAX_PREDICATES")
        for value in node.values():
            _measure(value, depth + 1, counts)
    elif isinstance(node, float) and not math.isfinite(node):
        raise BadRequest("filter: numbers must be finite")


def _vertices(node: Any) -> int:
    if isinstance(node, dict):
        return sum(_vertices(v) for k, v in node.items() if k in ("coordinates", "geometries"))
    if isinstance(node, list):
        if node and all(isinstance(v, int | float) for v in node):
            return 1
        return sum(_vertices(v) for v in node)
    return 0


def _first_line(exc: Exception) -> str:
    lines = [line.strip() for line in str(exc).splitlines() if line.strip()]
    # pest's messages: "--> 1:16", the text, a caret and "= expected …"; keep place and what
    where = next((line for line in lines if line.startswith("-->")), "")
    expected = next((line.lstrip("= ") for line in lines if line.startswith("=")), "")
    place = f" at line:column {where.removeprefix('-->').strip()}" if where else ""
    return (f"{place}: {expected}" if expected else f": {lines[0] if lines else exc}")[:300]


def parse_filter(text: str, lang: str | None = None) -> dict[str, Any]:
    """The filter as CQL2 JSON (a dict); BadRequest naming the problem or the limit."""
    lang = (lang or "cql2-text").strip().lower()
    lang = ALIASES.get(lang, lang)
    if lang not in LANGS:
        raise BadRequest(f"filter-lang={lang!r} is not offered; use cql2-text or cql2-json")
    if len(text) > MAX_FILTER_CHARS:
        raise _limit(f"{len(text):,} characters", MAX_FILTER_CHARS, "MAX_FILTER_CHARS")
    if not text.strip():
        raise BadRequest("filter is empty")
    if lang == "cql2-text":
        _scan_text(text)
        try:
            expr = cql2.parse_text(text)
        except Exception as exc:  # the bindings raise plain Exceptions too
            raise BadRequest(f"filter is not valid CQL2 text{_first_line(exc)}") from None
    else:
        try:
            raw = json.loads(text)
        except (ValueError, RecursionError) as exc:
            raise BadRequest(f"filter is not valid JSON: {str(exc)[:200]}") from None
        _measure(raw, 0, {"predicates": 0, "vertices": 0})
        try:
            expr = cql2.Expr(raw)
        except Exception as exc:  # e.g. "data did not match any variant of untagged enum"
            raise BadRequest(f"filter is not valid CQL2 JSON{_first_line(exc)}") from None
    result = expr.to_json()
    _measure(result, 0, {"predicates": 0, "vertices": 0})
    if not isinstance(result, dict | bool):
        raise BadRequest("filter must be a condition (e.g. capacity > 100), not a single value")
    return result if isinstance(result, dict) else {"op": "literal", "args": [result]}
