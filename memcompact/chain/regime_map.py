"""The regime map: growth regime a-d over ion mobility and redox rate (seed paper, Fig. 3, as data).

Fig. 3 of the paper sorts filament growth by two kinetic factors, the ion
mobility mu and the redox rate Gamma (DESIGN 2.1 table). Here the chain
simulator runs on a grid of ``mobility_scale`` x ``redox_scale`` (multipliers
of the metal preset's mu and Gamma_0), with several seeds per point, and each
point gets the majority label of :func:`memcompact.chain.regime.classify_regime`.

:func:`classify_point` is one run, a top-level picklable function with plain
arguments and a plain-dict result, so that a task scheduler (the sweep engine,
``memcompact.sweep``) can ship it to workers; :func:`regime_map` runs the grid
in-process; :func:`plot_regime_map` draws the phase diagram with an example
filament picture per regime.
"""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass, field

import numpy as np

from memcompact.errors import InputError

REGIMES = ("a", "b", "c", "d")
#: Colours of the four regimes in the phase diagram.
REGIME_COLOURS = {"a": "tab:orange", "b": "tab:blue", "c": "tab:green", "d": "tab:red"}

#: Defaults of one map point: Ag, 40 nm, 3 V (0.75 MV/cm, Fig. 4), 300 s.
POINT_DEFAULTS = dict(metal="Ag", voltage_V=3.0, thickness_m=40e-9, duration_s=300.0, n_samples=300)


def _check_scale(name, value):
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise InputError(f"{name}: not a number: {value!r}") from None
    if not (math.isfinite(v) and v > 0):
        raise InputError(f"{name} must be a positive, finite multiplier, got {value!r}")
    return v


def classify_point(mobility_scale, redox_scale, seed, **options):
    """Run the chain at one (mobility, redox) point and return its regime (Fig. 3).

    Parameters
    ----------
    mobility_scale : float
        Multiplier of the preset ion mobility mu [-], > 0.
    redox_scale : float
        Multiplier of the preset redox exchange rate Gamma_0 [-], > 0.
    seed : int
        Seed of the run (defect map, nucleation events).
    **options
        ``metal`` (default "Ag"), ``voltage_V`` [V] (3.0), ``thickness_m`` [m]
        (40e-9), ``duration_s`` [s] (300), ``n_samples`` (300) and any other
        :class:`~memcompact.chain.params.ChainParams` field as an override.

    Returns
    -------
    dict
        Plain values only: ``mobility_scale``, ``redox_scale``, ``seed``,
        ``regime`` ("a".."d"), ``t_form_s`` [s] or None, ``first_nucleation_s``
        [s] or None, ``mean_nucleation_x_rel`` [-] or None, ``ie_share``,
        ``attached_fraction`` [-], ``supply_limited`` (bool),
        ``n_nucleations`` (film nuclei), ``ie_deposit`` (bool: a nucleus
        formed on the IE), ``n_steps``, ``wall_time_s`` [s]. A run in which
        nothing nucleated is labelled "b" by
        :func:`~memcompact.chain.regime.classify_regime` (film site, no
        backward growth): check ``n_nucleations`` and ``ie_deposit``.

    Raises
    ------
    InputError
        A non-positive scale, an unknown metal or parameter, a bad option.
    """
    from memcompact.chain.presets import preset
    from memcompact.chain.simulate import simulate_chain

    mu = _check_scale("mobility_scale", mobility_scale)
    gamma = _check_scale("redox_scale", redox_scale)
    opts = {**POINT_DEFAULTS, **options}
    metal = opts.pop("metal")
    voltage = float(opts.pop("voltage_V"))
    duration = float(opts.pop("duration_s"))
    n_samples = int(opts.pop("n_samples"))
    params = preset(metal, mobility_scale=mu, redox_scale=gamma, **opts)
    r = simulate_chain(params, voltage, duration, seed=int(seed), n_samples=n_samples)
    f = r.features
    return {
        "mobility_scale": mu, "redox_scale": gamma, "seed": int(seed), "regime": r.regime,
        "t_form_s": None if r.events["t_form_s"] is None else float(r.events["t_form_s"]),
        "first_nucleation_s": None if f["first_nucleation_s"] is None else float(f["first_nucleation_s"]),
        "mean_nucleation_x_rel": f["mean_nucleation_x_rel"],
        "ie_share": float(f["ie_share"]), "attached_fraction": float(f["attached_fraction"]),
        "supply_limited": bool(f["supply_limited"]), "n_nucleations": len(r.nucleations),
        "ie_deposit": f["first_ie_deposit_s"] is not None, "n_steps": int(r.n_steps),
        "wall_time_s": float(r.wall_time_s),
    }


@dataclass
class RegimeMap:
    """Result of :func:`regime_map`.

    Attributes
    ----------
    mobility_scales, redox_scales : numpy.ndarray
        The grid axes [-].
    seeds : list of int
        Seeds run at every point.
    points : list of dict
        Every run, as :func:`classify_point` returns it.
    labels : numpy.ndarray of str
        Majority regime per point, shape (len(redox_scales), len(mobility_scales)).
    agreement : numpy.ndarray
        Share of seeds that gave the majority label [-], same shape.
    options : dict
        The options passed to every point.
    """

    mobility_scales: np.ndarray
    redox_scales: np.ndarray
    seeds: list
    points: list
    labels: np.ndarray
    agreement: np.ndarray
    options: dict = field(default_factory=dict)

    def to_dict(self):
        """JSON-ready dictionary."""
        return {"mobility_scales": [float(v) for v in self.mobility_scales],
                "redox_scales": [float(v) for v in self.redox_scales], "seeds": list(self.seeds),
                "labels": self.labels.tolist(), "agreement": self.agreement.tolist(),
                "options": {k: (float(v) if isinstance(v, (int, float)) else v) for k, v in self.options.items()},
                "points": self.points}

    def label_at(self, mobility_scale, redox_scale):
        """Majority regime at a grid point."""
        i = int(np.argmin(np.abs(np.log(self.redox_scales / redox_scale))))
        j = int(np.argmin(np.abs(np.log(self.mobility_scales / mobility_scale))))
        return str(self.labels[i, j])


def check_grid(mobility_scales, redox_scales, seeds):
    """Validate a map grid; return (mobility scales, redox scales, seeds) as lists.

    Raises
    ------
    InputError
        An empty axis, a non-positive or non-finite scale, no seeds (each
        message names the argument).
    """
    mus = list(mobility_scales)
    gammas = list(redox_scales)
    if not mus:
        raise InputError("mobility_scales: the map grid needs at least one mobility scale")
    if not gammas:
        raise InputError("redox_scales: the map grid needs at least one redox scale")
    mus = [_check_scale("mobility_scales", v) for v in mus]
    gammas = [_check_scale("redox_scales", v) for v in gammas]
    if isinstance(seeds, (int, np.integer)):
        if seeds < 1:
            raise InputError(f"seeds must be at least 1, got {seeds}")
        seeds = list(range(int(seeds)))
    seeds = [int(s) for s in seeds]
    if not seeds:
        raise InputError("seeds: the map needs at least one seed")
    return mus, gammas, seeds


def majority_label(labels):
    """Most frequent label (ties go to the first in a-d order) and its share [-]."""
    counts = Counter(labels)
    best = max(REGIMES, key=lambda k: (counts.get(k, 0), -REGIMES.index(k)))
    return best, counts[best] / len(labels)


def regime_map(mobility_scales, redox_scales, seeds=5, progress=False, **options):
    """Run :func:`classify_point` over a grid, in this process (Fig. 3 as data).

    Parameters
    ----------
    mobility_scales, redox_scales : sequence of float
        Grid of multipliers [-] (all > 0, at least one each).
    seeds : int or sequence of int
        Number of seeds (0..n-1) or the seeds themselves, run at every point.
    progress : bool
        Progress on stderr.
    **options
        Passed to every :func:`classify_point`.

    Returns
    -------
    RegimeMap
    """
    from memcompact.progress import Progress

    mus, gammas, seeds = check_grid(mobility_scales, redox_scales, seeds)
    points = []
    labels = np.empty((len(gammas), len(mus)), dtype="<U1")
    agree = np.zeros((len(gammas), len(mus)))
    total = len(mus) * len(gammas) * len(seeds)
    with Progress("regime map", total=total, unit=" runs", enabled=progress) as bar:
        for i, g in enumerate(gammas):
            for j, m in enumerate(mus):
                runs = []
                for s in seeds:
                    runs.append(classify_point(m, g, s, **options))
                    bar.update(len(points) + len(runs))
                labels[i, j], agree[i, j] = majority_label([r["regime"] for r in runs])
                points.extend(runs)
    return RegimeMap(mobility_scales=np.array(mus), redox_scales=np.array(gammas), seeds=seeds,
                     points=points, labels=labels, agreement=agree, options=dict(options))


def plot_regime_map(rmap, examples=None, path=None):
    """The a-d phase diagram over (mobility scale, redox scale), with example filaments.

    Parameters
    ----------
    rmap : RegimeMap
        From :func:`regime_map`.
    examples : dict, optional
        regime -> :class:`~memcompact.chain.simulate.ChainResult` to draw as
        cluster position-time maps beside the diagram (the filament
        pictures). Regimes missing from the dict are left out.
    path : str or Path, optional
        Save the figure there (atomically); the Figure is returned either way.
    """
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt
    from matplotlib.patches import Patch

    from memcompact.chain.plots import plot_clusters

    examples = {k: v for k, v in (examples or {}).items() if v is not None}
    n_ex = len(examples)
    fig = plt.figure(figsize=(6.0 + 4.2 * min(n_ex, 2), 5.2 if n_ex <= 2 else 8.5), constrained_layout=True)
    rows = 1 if n_ex <= 2 else 2
    gs = fig.add_gridspec(rows, 1 + min(n_ex, 2), width_ratios=[1.3] + [1.0] * min(n_ex, 2))
    ax = fig.add_subplot(gs[:, 0])
    mu, ga = rmap.mobility_scales, rmap.redox_scales
    lx, ly = np.log10(mu), np.log10(ga)

    def edges(v):
        if v.size == 1:
            return np.array([v[0] - 0.5, v[0] + 0.5])
        mid = 0.5 * (v[1:] + v[:-1])
        return np.concatenate(([v[0] - (mid[0] - v[0])], mid, [v[-1] + (v[-1] - mid[-1])]))

    quiet = np.zeros(rmap.labels.shape, dtype=bool)  # no nucleus anywhere in any seed's run
    missing = np.zeros(rmap.labels.shape, dtype=bool)  # no run at this point (a partial map)
    for i, g in enumerate(ga):
        for j, m in enumerate(mu):
            pts = [p for p in rmap.points if p["mobility_scale"] == m and p["redox_scale"] == g]
            missing[i, j] = not pts
            quiet[i, j] = bool(pts) and all(p.get("n_nucleations", 1) == 0 and not p.get("ie_deposit", True)
                                            for p in pts)
    code = np.vectorize(REGIMES.index)(rmap.labels)
    from matplotlib.colors import BoundaryNorm, ListedColormap
    cmap = ListedColormap([REGIME_COLOURS[k] for k in REGIMES])
    ax.pcolormesh(edges(lx), edges(ly), np.ma.masked_array(code, missing), cmap=cmap,
                  norm=BoundaryNorm(np.arange(5) - 0.5, 4), alpha=0.75)
    for i in range(ly.size):
        for j in range(lx.size):
            note = "\n(no nucleus\nin the run)" if quiet[i, j] else ""
            if missing[i, j]:
                ax.text(lx[j], ly[i], "not run", ha="center", va="center", fontsize=8, color="0.4")
                continue
            ax.text(lx[j], ly[i], f"{rmap.labels[i, j]}\n{rmap.agreement[i, j]:.0%}{note}", ha="center",
                    va="center", fontsize=8)
    ax.plot([0], [0], "k*", ms=12, label="preset (1, 1)")
    ax.set_xlabel("log10 ion mobility scale  (mu / mu_preset)")
    ax.set_ylabel("log10 redox rate scale  (Gamma_0 / Gamma_0,preset)")
    opts = rmap.options
    ax.set_title(f"growth regime (majority of {len(rmap.seeds)} seeds)\n"
                 f"{opts.get('metal', 'Ag')}, {opts.get('thickness_m', 40e-9) * 1e9:g} nm, "
                 f"{opts.get('voltage_V', 3.0):g} V, {opts.get('duration_s', 300.0):g} s")
    ax.legend(handles=[Patch(color=REGIME_COLOURS[k], label=k) for k in REGIMES]
              + [plt.Line2D([], [], marker="*", color="k", ls="", label="preset")], loc="best", fontsize=8)
    for n, (reg, res) in enumerate(sorted(examples.items())[:4]):
        sub = fig.add_subplot(gs[n // 2, 1 + n % 2]) if rows == 2 else fig.add_subplot(gs[0, 1 + n])
        plot_clusters(res, ax=sub, max_markers=4000)
        sub.set_title(f"regime {reg}: mu x{res.params.mobility_scale:g}, Gamma x{res.params.redox_scale:g} "
                      f"(seed {res.seed})", fontsize=9)
        sub.legend().set_visible(False)
    if path is not None:
        from memcompact.io import atomic_savefig
        atomic_savefig(fig, path, dpi=110)
    return fig


def load_regime_map(data):
    """A :class:`RegimeMap` from the dictionary of :meth:`RegimeMap.to_dict` (e.g. a ``regime_map.json``)."""
    return RegimeMap(mobility_scales=np.array(data["mobility_scales"], dtype=float),
                     redox_scales=np.array(data["redox_scales"], dtype=float), seeds=list(data["seeds"]),
                     points=list(data["points"]), labels=np.array(data["labels"], dtype="<U1"),
                     agreement=np.array(data["agreement"], dtype=float), options=dict(data.get("options", {})))


def example_runs(rmap, **options):
    """One run per regime found on the map: the first grid point and seed that gave it, preferring a run with nuclei.

    Returns
    -------
    dict
        regime -> ChainResult (rerun with the same seed, so it is the same run).
    """
    from memcompact.chain.presets import preset
    from memcompact.chain.simulate import simulate_chain

    opts = {**POINT_DEFAULTS, **rmap.options, **options}
    metal = opts.pop("metal")
    voltage = float(opts.pop("voltage_V"))
    duration = float(opts.pop("duration_s"))
    n_samples = int(opts.pop("n_samples"))
    out = {}
    ordered = sorted(rmap.points, key=lambda q: q.get("n_nucleations", 1) == 0 and not q.get("ie_deposit", True))
    for pt in ordered:
        reg = pt["regime"]
        if reg in out:
            continue
        p = preset(metal, mobility_scale=pt["mobility_scale"], redox_scale=pt["redox_scale"], **opts)
        out[reg] = simulate_chain(p, voltage, duration, seed=pt["seed"], n_samples=n_samples)
    return out
