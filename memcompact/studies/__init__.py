"""Studies that run as sweeps on Dask (issue 17): each a module with

* ``PARAMETERS`` -- name -> :class:`memcompact.sweep.spec.Param` (what a spec may set or sweep),
* ``OUTPUTS`` -- name -> pyarrow type (the result columns),
* ``run_task(params, seed) -> dict`` -- one task, a top-level (picklable) function,
* ``plot_results(table, path=None)`` -- the study's figure from its Parquet rows,

and a bundled spec in ``memcompact/studies/specs/<name>.json``. Studies sit at
the top of the data flow: they import the chain, the model and the crossbar,
never the reverse. docs/studies.md shows the figures.
"""

from __future__ import annotations

import importlib

from memcompact.errors import InputError

#: Registered studies, in the order of docs/studies.md.
STUDIES = ("crossbar_margin", "vt_map", "chain_regime")


def study_module(name):
    """The module of study ``name`` (:data:`STUDIES`)."""
    if name not in STUDIES:
        raise InputError(f"unknown study {name!r}; choose from {', '.join(STUDIES)}")
    return importlib.import_module(f"memcompact.studies.{name}")


def scaled_spread(spread_scale):
    """The model's device-to-device spreads with every sigma times ``spread_scale`` [1].

    Only the spreads fixed per device are kept (the nucleation delay, drawn
    anew each cycle, is left to the studies that time formation); a scale
    of 0 gives identical, nominal devices.
    """
    from dataclasses import replace

    from memcompact.model.variability import DEFAULT_SPREAD

    if spread_scale == 0:
        return {}
    return {name: replace(s, sigma=s.sigma * float(spread_scale)) for name, s in DEFAULT_SPREAD.items()
            if not s.cycle_to_cycle}


def quantile_band(values, low=0.1, high=0.9):
    """(median, low quantile, high quantile) of the finite values, NaNs when there are none."""
    import numpy as np

    v = np.asarray(values, dtype=float)
    v = v[np.isfinite(v)]
    if v.size == 0:
        return float("nan"), float("nan"), float("nan")
    return float(np.median(v)), float(np.quantile(v, low)), float(np.quantile(v, high))
