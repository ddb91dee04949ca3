"""Kasane core library: settings, database access, CRS, mesh and code maths, layer catalogue.

Nothing here imports Flask, folium, ``etl`` or ``webmap``: the jobs and the server build on it.
"""

__version__ = "0.1.0"
