"""The scenario keys, one module per group of sections; :mod:`simulation.scenario.schema` joins
them into ``KEYS`` in a fixed order (the order of ``simulate new`` files and of every table)."""
