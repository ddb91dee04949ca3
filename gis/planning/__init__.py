"""Prefectural planners' figures: mobile dead zones, 5G mesh coverage, area statistics, usage.

Dead-zone reduction against the plan's targets, JIS X 0410 mesh coverage, statistics per
municipality and anonymous usage counts. Independent of residents and transit.
"""
