"""Fixtures of the export tests: exported backends compiled once per session, the three cards."""

from __future__ import annotations

import pytest

from memcompact.model import preset_card


def hot_infinite_card():
    """Ag/SiO2 with an infinite reservoir and 2x the thermal resistance: no drop, ECM jump."""
    card = preset_card("ag_sio2")
    card["preset"] = None
    card["description"] = "ag_sio2 with reservoir_m3 = 1e-15 (infinite) and thermal_resistance_K_per_W = 1e5"
    card["params"] = dict(card["params"], reservoir_m3=1e-15, thermal_resistance_K_per_W=1e5)
    return card


#: The cards of the parity tests: the default, a second preset, a card with changed parameters.
CARDS = {
    "ag_sio2": lambda: preset_card("ag_sio2"),
    "cu_sio2": lambda: preset_card("cu_sio2"),
    "ag_infinite_hot": hot_infinite_card,
}


@pytest.fixture(scope="session")
def backends(tmp_path_factory):
    """Default-card Verilog-A module (compiled) and native library in a session folder."""
    from memcompact.export.parity import Backends

    return Backends(tmp_path_factory.mktemp("export"))
