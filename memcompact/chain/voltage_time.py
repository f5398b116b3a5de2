"""Voltage-time dilemma of the chain: the formation delay over voltage and seeds.

ECM cells form (SET) after a delay that falls by many decades over a factor
of two in voltage (Menzel et al., PCCP 15, 6945 (2013)); DESIGN 2.1 asks the
chain to show the same, with the delay set by its voltage-activated steps
(nucleation, eq. 1; Butler-Volmer at the poles; field-assisted hopping).
:func:`formation_delays` measures it: ``t_form`` (the event detector's
formation time) for each voltage and seed, and :func:`delay_statistics`
the median and the 10-90 % band over seeds. A run that has not formed by its
duration counts as "later than the duration" (censored): it raises the
median and the band rather than being left out.
"""

from __future__ import annotations

import math

import numpy as np

from memcompact.errors import InputError

#: Default simulated time per voltage [s]: long enough for most seeds to form
#: at the default Ag/SiO2 40 nm device.
DEFAULT_DURATIONS_S = ((2.75, 3000.0), (3.25, 1000.0), (4.5, 300.0), (math.inf, 100.0))


def default_duration_s(voltage_V):
    """Simulated time [s] used for ``voltage_V`` [V] when none is given."""
    for upper, duration in DEFAULT_DURATIONS_S:
        if voltage_V <= upper:
            return duration
    return DEFAULT_DURATIONS_S[-1][1]


def formation_delays(voltages_V, seeds=10, metal="Ag", duration_s=None, n_samples=2000, **overrides):
    """Formation time of the chain at each voltage for each seed.

    Parameters
    ----------
    voltages_V : sequence of float
        Voltages on the AE [V] (> 0).
    seeds : int or sequence of int
        Number of seeds (0..n-1) or the seeds.
    metal : str
        Preset metal.
    duration_s : float or callable, optional
        Simulated time [s], or a function voltage [V] -> time [s]; default
        :func:`default_duration_s`.
    n_samples : int
        Output samples per run (the resolution of t_form is duration / n_samples).
    **overrides
        ChainParams fields (e.g. ``thickness_m``).

    Returns
    -------
    dict
        voltage [V] -> dict with ``t_form_s`` (list, None where not formed),
        ``duration_s`` [s], ``seeds`` and ``wall_time_s`` (list) [s].
    """
    from memcompact.chain.presets import preset
    from memcompact.chain.simulate import simulate_chain

    seeds = list(range(seeds)) if isinstance(seeds, (int, np.integer)) else [int(s) for s in seeds]
    if not seeds:
        raise InputError("seeds: at least one seed is needed")
    params = preset(metal, **overrides)
    out = {}
    for v in voltages_V:
        v = float(v)
        if not (math.isfinite(v) and v > 0):
            raise InputError(f"voltages_V: must be positive and finite, got {v!r}")
        d = duration_s(v) if callable(duration_s) else (duration_s or default_duration_s(v))
        times, walls = [], []
        for s in seeds:
            r = simulate_chain(params, v, d, seed=s, n_samples=n_samples)
            t = r.events["t_form_s"]
            times.append(None if t is None else float(t))
            walls.append(float(r.wall_time_s))
        out[v] = {"t_form_s": times, "duration_s": float(d), "seeds": seeds, "wall_time_s": walls}
    return out


def delay_statistics(times_s, duration_s):
    """Median and 10/90 % quantiles of formation times, runs that did not form counted as later.

    Parameters
    ----------
    times_s : sequence of float or None
        Formation times [s]; None: not formed within ``duration_s``.
    duration_s : float
        Simulated time of the runs [s].

    Returns
    -------
    dict
        ``median_s``, ``p10_s``, ``p90_s`` [s] (``inf`` where the quantile
        falls on runs that did not form), ``formed`` (count), ``n``.
    """
    x = np.array([math.inf if t is None else float(t) for t in times_s])
    finite = np.isfinite(x)

    def q(p):
        # quantile with +inf for not-formed runs; "lower" keeps it a measured value
        return float(np.quantile(x, p, method="lower" if p <= 0.5 else "higher")) if x.size else math.nan

    med = float(np.median(x)) if finite.sum() * 2 > x.size else math.inf
    return {"median_s": med, "p10_s": q(0.1), "p90_s": q(0.9), "formed": int(finite.sum()), "n": int(x.size),
            "duration_s": float(duration_s)}


def decades_between(stats, low_V, high_V):
    """Decades the median formation time falls from ``low_V`` to ``high_V``.

    Returns
    -------
    tuple
        (decades, bound): ``bound`` is "" when both medians were measured,
        ">=" when the low voltage's median did not form within its duration
        (its duration is used: a lower bound), "<=" when the high one did not.
    """
    lo, hi = stats[low_V], stats[high_V]
    t_lo, bound = lo["median_s"], ""
    if not math.isfinite(t_lo):
        t_lo, bound = lo["duration_s"], ">="
    t_hi = hi["median_s"]
    if not math.isfinite(t_hi):
        t_hi, bound = hi["duration_s"], "<="
    return math.log10(t_lo / t_hi), bound
