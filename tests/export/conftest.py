"""Fixtures of the export tests: exported backends compiled once per session, the parity cards."""

from __future__ import annotations

from pathlib import Path

import pytest

from memcompact.model import preset_card
from memcompact.model.cards import load_model_card


def hot_infinite_card():
    """Ag/SiO2 with an infinite reservoir and 2x the thermal resistance: no drop, ECM jump."""
    card = preset_card("ag_sio2")
    card["preset"] = None
    card["description"] = "ag_sio2 with reservoir_m3 = 1e-15 (infinite) and thermal_resistance_K_per_W = 1e5"
    card["params"] = dict(card["params"], reservoir_m3=1e-15, thermal_resistance_K_per_W=1e5)
    return card


#: Cards fitted by ``memcompact fit`` to the example curves (tests/data/README.md says how).
FITTED = Path(__file__).resolve().parents[1] / "data" / "cards"


def fitted_card(name):
    """A fitted card from tests/data/cards/ (validated on load)."""
    return load_model_card(FITTED / f"{name}.json")


#: The cards of the parity tests: the default (formation, depletion drop, refill), two fitted
#: cards (Ag fitted to a curve that forms and then jumps to an ECM filament; Cu) and the default with an infinite reservoir and strong heating
#: (an abrupt ECM jump). The cu_sio2 preset was measured once (docs/export.md), not in the test:
#: its runs are the slowest, and the fitted Cu card covers Cu.
CARDS = {
    "ag_sio2": lambda: preset_card("ag_sio2"),
    "fitted_ag_ecm_3V": lambda: fitted_card("fitted_ag_ecm_3V"),
    "fitted_cu_6V": lambda: fitted_card("fitted_cu_6V"),
    "ag_infinite_hot": hot_infinite_card,
}


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    """Default-card Verilog-A module (compiled) and native library in a session folder."""
    from memcompact.export.parity import Backends

    return Backends(tmp_path_factory.mktemp("export"))
