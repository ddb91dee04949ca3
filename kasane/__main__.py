"""``python -m kasane`` = the ``kasane`` command."""

from kasane.cli import main

main(prog_name="kasane")
