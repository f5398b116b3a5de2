"""Condensation: from the cluster chain (microscopic) to a compact-model card.

:func:`condense` runs the chain simulator (:mod:`memcompact.chain`) under
constant-voltage stress at several voltages, several seeds per voltage, and
fits the compact model (:mod:`memcompact.model`) to the median-delay run of
each voltage with :func:`memcompact.fit.fit_it` (the one fitting machinery:
global fit, shared parameters, log-current residuals with a noise floor,
event-time residuals, automatic starting values). The card it returns
records the chain parameters, voltages and seeds it came from, the fit
statistics and each curve's events.

Why the median run: nucleation in the chain is stochastic, so one seed per
voltage gives delays that scatter by tens of percent and need not even fall
with voltage (66 s at 4.5 V, 83 s at 5 V for seeds 2 and 3). A smooth,
deterministic compact model describes the typical device; the median of
``seeds_per_voltage`` runs is that device's delay, and the spread of the
seeds is recorded in the card (``condensed_from.seed_form_s``) as the
variability the compact model's spread parameters must carry.

Which compact parameters are fitted (:data:`DEFAULT_VARY`), and why:

- ``nucleation_barrier_eV``, ``nucleation_voltage_fraction`` and
  ``nucleation_alpha``: the chain's nucleation delay and its voltage
  dependence (eq. 1). The chain is supply-limited: its median delay hardly
  changes between 4 and 5 V (68, 75, 81 s for 9 seeds at 4, 4.5, 5 V), and a
  flat delay needs a small transfer coefficient ``alpha`` (with ``alpha =
  0.5`` the smallest workable voltage fraction already makes the delay fall
  by ~1.5x per volt);
- ``growth_activation_eV``: how fast the cluster chain bridges the film;
- ``tunnel_resistance_ohm``: the current level once the chain touches the IE.

``leakage_conductance_S`` (the chain's HRS floor) is set from the data
before the fit (:func:`memcompact.fit.starting_values`) and held: left free
under the quadratic loss, it rises to meet the chain's noisy, flickering
bridging stage and misses the HRS level by 0.7 decades.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from memcompact.errors import InputError
from memcompact.fit import fit_it, log_current
from memcompact.fit.data import formation_crossing_s
from memcompact.model.cards import preset_params
from memcompact.model.parameters import PARAMETER_TABLE
from memcompact.model.solver import integrate
from memcompact.model.stimulus import constant

#: Compact parameters fitted by default.
DEFAULT_VARY = ("nucleation_barrier_eV", "nucleation_voltage_fraction", "nucleation_alpha", "growth_activation_eV",
                "tunnel_resistance_ohm")

#: Current floor of the plots and level comparisons [A].
NOISE_FLOOR_A = 1e-13


@dataclass
class CondenseResult:
    """Outcome of :func:`condense`.

    Attributes
    ----------
    card : dict
        The compact-model card (DESIGN section 5) with ``condensed_from``.
    curves : list of memcompact.io.ITCurve
        The chain I-t curves it was fitted to (the median-delay run per voltage).
    chain_results : list of list
        All chain runs (:class:`memcompact.chain.ChainResult`), per voltage.
    fit : memcompact.fit.FitResult
        The fit (``fit.minimizer_result`` is lmfit's result).
    model_current_A : numpy.ndarray
        Compact-model current on each curve's time grid, shape (curves, T).
    """

    card: dict
    curves: list
    chain_results: list
    fit: object
    model_current_A: np.ndarray


def simulate_curves(params, voltages_V, time_s, series_resistance_ohm, rtol=1e-3):
    """Compact-model currents [A] for constant-voltage curves, one device per voltage (one solver call).

    Parameters
    ----------
    params : dict
        Compact parameters (scalars).
    voltages_V : sequence of float
        Stress voltage of each curve [V].
    time_s : numpy.ndarray
        Common output times [s].
    series_resistance_ohm : float
        Resistance of the measurement loop [Ohm].
    """
    sol = integrate(params, constant(1.0, float(time_s[-1])), t_eval=time_s, n_devices=len(voltages_V),
                    voltage_scale=np.asarray(voltages_V, dtype=float),
                    series_resistance_ohm=series_resistance_ohm, rtol=rtol)
    return sol.current_A


def formation_time_s(time_s, current_A):
    """Formation time [s] as the fit dates it, or None.

    The last time the running-median log current rises through halfway (in
    decades) between its levels before and after formation
    (:func:`memcompact.fit.data.formation_crossing_s`).
    """
    return formation_crossing_s(np.asarray(time_s), np.asarray(current_A))


def level_errors_decades(time_s, chain_A, model_A, t_chain_s, t_model_s):
    """Median |log10 model - log10 chain| [decades] before (t < 0.8 t_form) and after formation.

    After formation means after 1.2x the later of the two formation times, so
    the comparison is of levels, not of timing.
    """
    lc = log_current(chain_A, NOISE_FLOOR_A)
    lm = log_current(model_A, NOISE_FLOOR_A)
    before = time_s < 0.8 * t_chain_s
    after = time_s > 1.2 * max(t_chain_s, t_model_s)
    diff = np.abs(lm - lc)
    return (float(np.median(diff[before])) if before.any() else 0.0,
            float(np.median(diff[after])) if after.any() else 0.0)


def _median_run(runs):
    """The run with the median formation time (runs that never form count as latest)."""
    times = [formation_time_s(r.curve.time_s, r.curve.current_A) for r in runs]
    order = sorted(range(len(runs)), key=lambda k: np.inf if times[k] is None else times[k])
    k = order[len(order) // 2]
    return k, times


def condense(voltages_V=(4.0, 4.5, 5.0), metal="Ag", thickness_m=40e-9, duration_s=300.0, seed=1,
             seeds_per_voltage=5, n_samples=300, chain_overrides=None, vary=DEFAULT_VARY, event_weight=20.0,
             max_nfev=60, progress=False):
    """Run the chain at several voltages and fit a compact-model card to it.

    Parameters
    ----------
    voltages_V : sequence of float
        Constant stress voltages [V] (at least 2).
    metal : str
        Chain preset (``Ag``, ``Cu``, ``Ni``, ``Pt``).
    thickness_m : float
        Film thickness [m].
    duration_s : float
        Length of each chain run [s].
    seed : int
        Seed of the first run; every voltage uses the seeds ``seed ... seed + seeds_per_voltage - 1``
        (the same devices stressed at each voltage: common random numbers, so the seed-to-seed
        scatter does not masquerade as a voltage dependence).
    seeds_per_voltage : int
        Chain runs per voltage; the median-delay one is fitted.
    n_samples : int
        Samples per curve.
    chain_overrides : dict, optional
        Chain parameters to change from the preset (e.g. ``reservoir_m3``).
    vary : sequence of str
        Compact parameters to fit.
    event_weight : float
        Weight of the formation-time residuals (see :func:`memcompact.fit.fit_it`). The
        samples between a model's and a curve's formation time all miss by ~8 decades, so
        their cost grows linearly with the timing error: alone they fit the median of the
        curves' delays exactly and leave the odd one out. Heavy, quadratic (``loss='linear'``)
        formation-time residuals spread the timing error over all curves instead.
    max_nfev : int
        Fit budget (residual evaluations).
    progress : bool
        Progress on stderr.

    Returns
    -------
    CondenseResult
    """
    from dataclasses import replace

    from memcompact.chain import preset, simulate_chain

    voltages = [float(v) for v in voltages_V]
    if len(voltages) < 2 or any(not np.isfinite(v) or v <= 0 for v in voltages):
        raise InputError("condense needs at least 2 positive, finite voltages")
    if int(seeds_per_voltage) < 1:
        raise InputError("seeds_per_voltage must be >= 1")
    chain_params = replace(preset(metal), thickness_m=thickness_m, **(chain_overrides or {}))
    all_runs, curves, seeds, seed_form = [], [], [], []
    for k, v in enumerate(voltages):
        runs = []
        for j in range(int(seeds_per_voltage)):
            s = seed + j
            if progress:
                print(f"condense: chain run at {v:g} V, seed {s}", flush=True)
            runs.append(simulate_chain(chain_params, voltage_V=v, duration_s=duration_s, seed=s,
                                       n_samples=n_samples))
        m, times = _median_run(runs)
        all_runs.append(runs)
        # named as `memcompact condense` writes it
        curves.append(replace(runs[m].curve, source=f"chain_{v:g}V.csv"))
        seeds.append(seed + m)
        seed_form.append([None if t is None else float(t) for t in times])
    series = float(chain_params.series_resistance_Ohm)
    start = preset_params("ag_sio2" if metal == "Ag" else "cu_sio2")
    start["thickness_m"] = float(np.clip(thickness_m, PARAMETER_TABLE["thickness_m"].lower,
                                         PARAMETER_TABLE["thickness_m"].upper))
    spec = PARAMETER_TABLE["reservoir_m3"]
    start["reservoir_m3"] = float(np.clip(chain_params.reservoir_m3, spec.lower, spec.upper))
    start_card = {"params": start}
    result = fit_it(curves, card=start_card, auto_start=True, vary=vary, series_resistance_ohm=series,
                    loss="linear", event_weight=event_weight, max_nfev=max_nfev, progress=progress)
    card = dict(result.card)
    card["condensed_from"] = {
        "metal": metal, "voltages_V": voltages, "duration_s": duration_s, "seeds": seeds,
        "seeds_per_voltage": int(seeds_per_voltage), "seed_form_s": seed_form,
        "series_resistance_ohm": series,
        "chain_params": {k: (float(v) if isinstance(v, (int, float)) else v)
                         for k, v in chain_params.to_dict().items()},
        "chain_events": [c["events"] for c in card["curves"]],
        "varied": list(result.vary),
    }
    return CondenseResult(card=card, curves=curves, chain_results=all_runs, fit=result,
                          model_current_A=np.array(result.model_current_A))


def plot_condensation(result, path):
    """Chain curves and the condensed compact model, log current vs time, one panel per voltage."""
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from memcompact.io import atomic_savefig

    n = len(result.curves)
    fig, axes = plt.subplots(n, 1, figsize=(7, 2.2 * n), sharex=True, squeeze=False)
    for ax, curve, model_i, v in zip(axes[:, 0], result.curves, result.model_current_A,
                                     result.card["condensed_from"]["voltages_V"]):
        ax.semilogy(curve.time_s, np.maximum(np.abs(curve.current_A), NOISE_FLOOR_A), ".", ms=2, color="0.4",
                    label="cluster chain (median-delay seed)")
        ax.semilogy(curve.time_s, np.maximum(np.abs(model_i), NOISE_FLOOR_A), color="C0", label="compact model")
        ax.set_ylabel(f"|I| [A] at {v:g} V")
    axes[0, 0].legend(loc="best", fontsize=8)
    axes[0, 0].set_title("Condensation: chain I-t curves and the fitted compact model")
    axes[-1, 0].set_xlabel("time [s]")
    fig.tight_layout()
    atomic_savefig(fig, path, dpi=110)
    plt.close(fig)


__all__ = ["CondenseResult", "DEFAULT_VARY", "condense", "formation_time_s", "level_errors_decades",
           "plot_condensation", "simulate_curves"]
