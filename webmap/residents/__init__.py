"""Residents: hazards at a point, nearest suitable shelters, live shelter status and feeds,
and the accessible shelter table. One parent blueprint so the app registers it in one line."""

from __future__ import annotations

from flask import Blueprint

from webmap.residents import api, feeds, hazard_map, pages

bp = Blueprint("residents", __name__)
bp.register_blueprint(api.bp)
bp.register_blueprint(feeds.bp)
bp.register_blueprint(pages.bp)
bp.register_blueprint(hazard_map.bp)
