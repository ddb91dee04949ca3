"""The ``kasane`` program's entry point: the command line, started with the cyclic GC paused.

Starting ``kasane`` imports about a million objects (click, psycopg, numpy, shapely, pyproj…),
and CPython's cyclic garbage collector, triggered by the allocations, walks them again and
again: 0.2 s of a start-up of 0.5 s. None of those objects is garbage, so the collector is
paused for the imports; :func:`kasane.cli.main` then moves them to the permanent generation
(``gc.freeze``) and restarts the collector, except for ``kasane load``, which keeps it paused
until it ends (see :mod:`kasane.cmd_load`).
"""

from __future__ import annotations

import gc


def run() -> None:
    """Run the ``kasane`` command line (the console script and ``python -m kasane``)."""
    gc.disable()
    from kasane.cli import main
    from kasane.context import CliContext

    main(prog_name="kasane", obj=CliContext(owns_process=True))
