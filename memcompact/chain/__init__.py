"""Cluster-chain kinetic simulator (DESIGN 2.1; the seed paper's electrochemical
dynamics of metal nanoclusters in a dielectric).

>>> from memcompact.chain import preset, simulate_chain
>>> result = simulate_chain(preset("Ag"), voltage_V=3.0, duration_s=300.0, seed=1)  # doctest: +SKIP
>>> result.regime, result.events["t_form_s"]  # doctest: +SKIP
"""

from memcompact.chain.params import PARAMETER_TABLE, ChainParams, parameter_names, validate
from memcompact.chain.presets import METAL_PRESETS, METALS, preset
from memcompact.chain.regime import classify_regime, regime_features
from memcompact.chain.simulate import ChainResult, ClusterHistory, simulate_chain

__all__ = [
    "ChainParams", "ChainResult", "ClusterHistory", "METALS", "METAL_PRESETS", "PARAMETER_TABLE",
    "classify_regime", "parameter_names", "preset", "regime_features", "simulate_chain", "validate",
]
