"""``python -m simulation.cli``: the ``simulate`` command line."""

from simulation.cli import main

main()
