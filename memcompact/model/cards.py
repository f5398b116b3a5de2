"""Model cards of the compact model: presets, loading and saving (DESIGN section 5)."""

from __future__ import annotations

from pathlib import Path

from memcompact.errors import InputError
from memcompact.io import load_card, save_card
from memcompact.model.parameters import complete_params, default_params, validate_params

#: Name written in the ``model`` field of every card of this model.
MODEL_NAME = "memcompact_ecm"
#: Card format version.
CARD_VERSION = 1

#: Named presets: parameter values that differ from the Ag/SiO2 defaults, with why.
PRESETS = {
    "ag_sio2": {
        "description": "Ag / evaporated SiO2 (40 nm) / W, the seed paper's device (Fig. 4-6)",
        "params": {},
    },
    "cu_sio2": {
        "description": "Cu / SiO2 (40 nm) / inert electrode: Cu needs a slightly higher field than Ag "
                       "(seed paper Fig. 2h); slower redox (more polarizable Cu+/Cu), bulk resistivity "
                       "1.68 uOhm cm (handbook)",
        "params": {
            "nucleation_barrier_eV": 1.45,
            "growth_activation_eV": 0.65,
            "hop_activation_eV": 0.55,
            "filament_resistivity_ohm_m": 1.2e-7,
            "refill_activation_eV": 0.5,
        },
    },
}


def preset_params(name):
    """Full parameter dict of a named preset.

    Parameters
    ----------
    name : str
        One of :data:`PRESETS` (``ag_sio2``, ``cu_sio2``).
    """
    if name not in PRESETS:
        raise InputError(f"unknown preset {name!r}; choose from {', '.join(sorted(PRESETS))}")
    return complete_params(PRESETS[name]["params"])


def preset_card(name):
    """A model card (dict) for a named preset."""
    params = preset_params(name)
    return {"model": MODEL_NAME, "version": CARD_VERSION, "preset": name,
            "description": PRESETS[name]["description"],
            "params": {k: float(v) for k, v in params.items()}}


def validate_card_params(params):
    """Card-level parameter check: every parameter present, known and in bounds."""
    validate_params(params, require_all=True)


def load_model_card(card_or_preset):
    """Load a card file, or a preset by name, and return the card dict.

    Parameters
    ----------
    card_or_preset : str or os.PathLike
        Path to a JSON card, or a preset name (``ag_sio2``, ``cu_sio2``).

    Raises
    ------
    memcompact.errors.CardError
        Malformed card, wrong model name, or a parameter unknown, missing or
        out of bounds (named in the message).
    """
    text = str(card_or_preset)
    if text in PRESETS and not Path(text).exists():
        return preset_card(text)
    card = load_card(card_or_preset, validate=validate_card_params)
    if card["model"] != MODEL_NAME:
        from memcompact.errors import CardError
        raise CardError(text, f"model is {card['model']!r}, expected {MODEL_NAME!r}")
    return card


def save_model_card(path, card):
    """Validate and write a card atomically."""
    save_card(path, card, validate=validate_card_params)


def card_params(card):
    """Parameters of a card as a validated dict."""
    params = dict(default_params())
    params.update(card["params"])
    validate_params(params)
    return params
