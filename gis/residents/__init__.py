"""Residents' questions: which hazards are here, which shelter is nearest and open.

Shelters and their status (with the L-Alert states), hazard areas at a point, the CAP feed, and
the in-memory indexes (areas and shelters of one served version) that answer point questions in
microseconds on a disaster day. Independent of planning and transit.
"""
