"""Study (c): the cluster chain's growth-regime map (Fig. 3 of the seed paper) over
ion mobility and redox rate, one chain run per task.

A thin wrapper of :func:`memcompact.chain.regime_map.classify_point` (the
chain issue's in-process map): each task is one (mobility scale, redox
scale) point and one seed; the figure takes the majority regime over the
seeds at every point and draws it with
:func:`memcompact.chain.regime_map.plot_regime_map`.
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memcompact.sweep.spec import Param

NAME = "chain_regime"

PARAMETERS = {
    "mobility_scale": Param("float", 1.0, "1", "multiplier of the preset ion mobility mu", minimum=0.0,
                            exclusive_minimum=True),
    "redox_scale": Param("float", 1.0, "1", "multiplier of the preset redox exchange rate Gamma_0", minimum=0.0,
                         exclusive_minimum=True),
    "metal": Param("str", "Ag", "", "active-electrode metal preset", choices=("Ag", "Cu")),
    "voltage_V": Param("float", 3.0, "V", "constant applied voltage", minimum=0.0, exclusive_minimum=True,
                       maximum=20.0),
    "thickness_m": Param("float", 40e-9, "m", "film thickness", minimum=0.0, exclusive_minimum=True, maximum=1e-6),
    "duration_s": Param("float", 300.0, "s", "simulated time", minimum=0.0, exclusive_minimum=True),
    "n_samples": Param("int", 300, "1", "recorded samples of the run", minimum=10, maximum=100000),
}

OUTPUTS = {
    "regime": pa.string(),
    "t_form_s": pa.float64(),
    "first_nucleation_s": pa.float64(),
    "mean_nucleation_x_rel": pa.float64(),
    "ie_share": pa.float64(),
    "attached_fraction": pa.float64(),
    "supply_limited": pa.bool_(),
    "n_nucleations": pa.int64(),
    "ie_deposit": pa.bool_(),
    "n_steps": pa.int64(),
}

#: Parameters that are not chain options (they are the map's axes).
_AXES = ("mobility_scale", "redox_scale")


def run_task(params, seed):
    """One chain run at (``mobility_scale``, ``redox_scale``) with ``seed``: its regime and timings."""
    from memcompact.chain.regime_map import classify_point

    options = {k: v for k, v in params.items() if k not in _AXES}
    point = classify_point(params["mobility_scale"], params["redox_scale"], seed, **options)
    return {k: point.get(k) for k in OUTPUTS}


def regime_map_from_table(table):
    """A :class:`memcompact.chain.regime_map.RegimeMap` from a sweep's rows (majority over seeds per point)."""
    from memcompact.chain.regime_map import RegimeMap, majority_label

    data = table.filter(pc.equal(table["status"], "ok")).to_pylist()
    mus = np.array(sorted({r["mobility_scale"] for r in data}))
    gammas = np.array(sorted({r["redox_scale"] for r in data}))
    labels = np.full((gammas.size, mus.size), "a", dtype="<U1")   # points without runs: drawn as "not run"
    agreement = np.zeros((gammas.size, mus.size))
    for i, g in enumerate(gammas):
        for j, m in enumerate(mus):
            runs = [r["regime"] for r in data if r["mobility_scale"] == m and r["redox_scale"] == g]
            if runs:
                labels[i, j], agreement[i, j] = majority_label(runs)
    first = data[0] if data else {}
    options = {k: first[k] for k in PARAMETERS if k not in _AXES and k in first}
    points = [{k: r.get(k) for k in ("mobility_scale", "redox_scale", "seed", *OUTPUTS)} for r in data]
    return RegimeMap(mobility_scales=mus, redox_scales=gammas, seeds=sorted({r["seed"] for r in data}),
                     points=points, labels=labels, agreement=agreement, options=options)


def plot_results(table, path=None):
    """The a-d regime map (majority of the seeds at each point, with its agreement; points of an
    unfinished sweep without any run are marked "not run")."""
    from memcompact.chain.regime_map import plot_regime_map
    from memcompact.errors import InputError

    rmap = regime_map_from_table(table)
    if rmap.labels.size == 0:
        raise InputError("the sweep file has no finished chain runs to draw")
    return plot_regime_map(rmap, path=path)
