"""The compact model: state-variable ECM memristor condensed from the cluster chain.

One definition (:mod:`~memcompact.model.parameters`,
:mod:`~memcompact.model.equations`) drives the Python evaluation here and the
Verilog-A and ngspice exports. See docs/model.md.
"""

from memcompact.model.cards import (
    MODEL_NAME, PRESETS, card_params, load_model_card, preset_card, preset_params, save_model_card,
)
from memcompact.model.compiled import STATE_NAMES, conductance, initial_state, rhs
from memcompact.model.equations import STATES
from memcompact.model.parameters import PARAMETERS, PARAMETER_TABLE, complete_params, default_params, validate_params
from memcompact.model.solver import Solution, integrate
from memcompact.model.stimulus import Stimulus, constant, pulse_train, triangle

__all__ = [
    "MODEL_NAME", "PARAMETERS", "PARAMETER_TABLE", "PRESETS", "STATES", "STATE_NAMES", "Solution",
    "Stimulus", "card_params", "complete_params", "conductance", "constant", "default_params",
    "initial_state", "integrate", "load_model_card", "preset_card", "preset_params", "pulse_train",
    "rhs", "save_model_card", "triangle", "validate_params",
]
