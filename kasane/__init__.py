"""The ``kasane`` command line: composes the commands of ``gis``, ``etl`` and ``webmap``."""
