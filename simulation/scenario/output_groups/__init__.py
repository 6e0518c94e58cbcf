"""The outputs table, one module per group of outputs; :mod:`simulation.scenario.outputs` joins
them into ``OUTPUTS`` in a fixed order (the results files' column order: a new output is
appended to the last group, or a new group after it, never inserted)."""
