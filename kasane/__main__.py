"""``python -m kasane`` = the ``kasane`` command."""

from kasane.entry import run

run()
