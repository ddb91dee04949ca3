"""Layers and their versions: the catalogue of layer files and the versioned store in PostGIS.

Layer specifications (``layers/*.toml``) and the registry of them, who may see which layer,
one table per layer version with binary COPY, indexes built beside it, the per-layer load lock,
the served version of each layer (and its NOTIFY listener), and the limits of uploads. Every
domain package reads layers through here.
"""
