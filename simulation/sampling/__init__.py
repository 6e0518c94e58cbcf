"""The sampling stage: one seed, many streams, and the matrix of uncertain inputs.

Owns the uniform percentile designs (random, LHS, Sobol), ``draw_inputs`` and ``sample_inputs``
(``designs``), the rank correlations: the requested matrix, its repair and Iman-Conover
(``correlations``), and the root seed with its iteration streams (``seeds``). Imports
:mod:`simulation.scenario` and below.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from simulation.lazy import lazy_exports

if TYPE_CHECKING:
    from simulation.sampling.designs import InputMatrix, draw_inputs, sample_inputs
    from simulation.sampling.seeds import IterationStreams, fresh_seed, iteration_stream

__all__ = [
    "InputMatrix",
    "IterationStreams",
    "draw_inputs",
    "fresh_seed",
    "iteration_stream",
    "sample_inputs",
]

#: Where each public name lives (imported on first use).
_WHERE = {
    "InputMatrix": "designs",
    "IterationStreams": "seeds",
    "draw_inputs": "designs",
    "fresh_seed": "seeds",
    "iteration_stream": "seeds",
    "sample_inputs": "designs",
}

__getattr__, __dir__ = lazy_exports(__name__, _WHERE, globals())
