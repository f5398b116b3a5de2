"""Study (b): the compact model's voltage-time map with device-to-device spread.

Each task integrates ``devices_per_task`` devices under one constant voltage
in one vectorised call of :func:`memcompact.model.integrate` (ROS2, per-device
parameters), through ``series_resistance_ohm``. The devices of seed ``s``
are the same at every voltage (drawn by
:func:`memcompact.model.variability.sample_devices` with that seed: lognormal
tunnelling resistance, reservoir and growth prefactor, normal thickness, and
the Poisson nucleation delay ``nucleation_time_s * Exp(1)``), with every
sigma times ``spread_scale``; seeds 0..9 with 1,000 devices each give 10,000
distinct devices.

A device's formation time ``t_form_s`` is the first time its current
exceeds its level at the first output time (1 ns) by :data:`FORM_DECADES`
decades (formation is abrupt: > 3 decades in < 5 % of the delay,
docs/model.md), interpolated in log time between output samples; a device
that has not risen that far by ``duration_s`` has not formed (NaN). The
stress runs decade by decade of time and a formed device leaves the
integration, so the cost goes to the delay, not to what follows formation.
The delay falls steeply with voltage (docs/model.md: ~100 s at 3 V, seed
paper Fig. 5a).
"""

from __future__ import annotations

import numpy as np
import pyarrow as pa
import pyarrow.compute as pc

from memcompact.sweep.spec import Param

NAME = "vt_map"
#: Rise of the current above its level at 1 ns that dates formation [decades].
FORM_DECADES = 3.0
#: First output time after t = 0 [s].
FIRST_SAMPLE_S = 1e-9

PARAMETERS = {
    "voltage_V": Param("float", 3.0, "V", "constant applied voltage", minimum=0.0, exclusive_minimum=True,
                       maximum=20.0),
    "devices_per_task": Param("int", 1000, "1", "devices integrated together in one task", minimum=1,
                              maximum=100000),
    "duration_s": Param("float", 1e6, "s", "stress time; devices not formed by then count as not formed",
                        minimum=FIRST_SAMPLE_S, exclusive_minimum=True),
    "series_resistance_ohm": Param("float", 1e3, "Ohm", "resistance in series with each device", minimum=0.0),
    "spread_scale": Param("float", 1.0, "1", "factor on the model's device-to-device sigmas (nucleation delay kept)",
                          minimum=0.0, maximum=10.0),
    "points_per_decade": Param("int", 20, "1", "log-spaced output times per decade of time", minimum=2,
                               maximum=10000),
    "rtol": Param("float", 1e-2, "1", "relative tolerance of the integrator", minimum=1e-8, maximum=0.1),
    "max_steps": Param("int", 200000, "1", "safety limit on the integrator's steps per decade of time (a task "
                                           "past it fails)", minimum=1),
    "card": Param("str", "ag_sio2", "", "model card preset", choices=("ag_sio2", "cu_sio2")),
}

OUTPUTS = {
    "t_form_s": pa.list_(pa.float64()),
    "formed_fraction": pa.float64(),
    "t_form_median_s": pa.float64(),
    "steps_max": pa.int64(),
}


def draw_devices(card, n_devices, seed, spread_scale):
    """Per-device parameters of seed ``seed``: the conductance spreads times ``spread_scale`` and the Poisson delay."""
    from memcompact.model import preset_params
    from memcompact.model.variability import DEFAULT_SPREAD, sample_devices
    from memcompact.studies import scaled_spread

    spread = scaled_spread(spread_scale)
    spread["nucleation_time_s"] = DEFAULT_SPREAD["nucleation_time_s"]
    return sample_devices(preset_params(card), n_devices, seed, spread=spread)


def crossing_times_s(time_s, current_A, threshold_log_A):
    """First time each device's log10 current reaches its threshold [s], NaN when it does not.

    Parameters
    ----------
    time_s : numpy.ndarray
        Output times [s], (T,), all > 0.
    current_A : numpy.ndarray
        Device currents [A], (N, T).
    threshold_log_A : numpy.ndarray
        log10 of each device's threshold current [log10 A], (N,).

    The time is interpolated linearly in (log time, log current) between the
    samples around the crossing; a device already above at the first sample
    gets that sample's time.
    """
    log_i = np.log10(np.maximum(np.abs(current_A), 1e-30))
    above = log_i >= threshold_log_A[:, None]
    hit = above.any(axis=1)
    k = np.argmax(above, axis=1)
    rows = np.arange(log_i.shape[0])
    k0 = np.maximum(k - 1, 0)
    y0, y1 = log_i[rows, k0], log_i[rows, k]
    lt = np.log10(time_s)
    rise = y1 - y0
    share = np.where(rise > 0, (threshold_log_A - y0) / np.where(rise > 0, rise, 1.0), 1.0)
    t = 10 ** (lt[k0] + np.clip(share, 0.0, 1.0) * (lt[k] - lt[k0]))
    return np.where(hit, t, np.nan)


def formation_times_s(devices, n_devices, voltage_V, duration_s, series_resistance_ohm=1e3, rtol=1e-2,
                      points_per_decade=20, max_steps=200000):
    """Formation time of every device under a constant voltage [s] (NaN: not formed by ``duration_s``).

    The devices are integrated together (:func:`memcompact.model.integrate`)
    one decade of time after the other from ``FIRST_SAMPLE_S``; after each
    decade the formed ones leave and the others go on from their states.

    Returns
    -------
    (numpy.ndarray, int)
        Formation times [s], (N,), and the largest number of steps a device took.
    """
    from memcompact.model import constant, integrate

    n = int(n_devices)
    t_form = np.full(n, np.nan)
    steps = np.zeros(n, dtype=int)
    active = np.arange(n)
    y0, threshold = None, None
    edges = [FIRST_SAMPLE_S * 10 ** k for k in range(int(np.ceil(np.log10(duration_s / FIRST_SAMPLE_S))) + 1)]
    edges = [e for e in edges if e < duration_s] + [duration_s]
    t_start = 0.0
    for t_end in edges:
        if active.size == 0:
            break
        params = {k: (np.asarray(v)[active] if np.ndim(v) == 1 and np.size(v) == n else v) for k, v in devices.items()}
        samples = max(2, int(np.ceil(points_per_decade * np.log10(t_end / max(t_start, FIRST_SAMPLE_S / 10)))))
        times = np.unique(np.concatenate([[t_start], np.geomspace(max(t_start, FIRST_SAMPLE_S), t_end, samples)]))
        sol = integrate(params, constant(voltage_V, t_end - t_start), t_eval=times - t_start, n_devices=active.size,
                        y0=y0, series_resistance_ohm=series_resistance_ohm, rtol=rtol,
                        first_step_s=max(FIRST_SAMPLE_S, 1e-3 * (t_end - t_start)), max_iterations=max_steps)
        positive = times > 0
        current = sol.current_A[:, positive]
        if threshold is None:
            threshold = np.log10(np.maximum(np.abs(current[:, 0]), 1e-30)) + FORM_DECADES
        t_hit = crossing_times_s(times[positive], current, threshold)
        steps[active] += sol.steps
        formed = np.isfinite(t_hit)
        t_form[active[formed]] = t_hit[formed]
        y0 = sol.final_state()[:, ~formed]
        active, threshold = active[~formed], threshold[~formed]
        t_start = t_end
    return t_form, int(steps.max())


def run_task(params, seed):
    """``devices_per_task`` devices of seed ``seed`` at ``voltage_V``: their formation times [s]."""
    n = params["devices_per_task"]
    devices = draw_devices(params["card"], n, seed, params["spread_scale"])
    t_form, steps = formation_times_s(devices, n, params["voltage_V"], params["duration_s"],
                                      params["series_resistance_ohm"], params["rtol"], params["points_per_decade"],
                                      params["max_steps"])
    formed = np.isfinite(t_form)
    return {"t_form_s": t_form.tolist(), "formed_fraction": float(formed.mean()),
            "t_form_median_s": float(np.median(t_form[formed])) if formed.any() else float("nan"),
            "steps_max": steps}


def summarise(table):
    """Per voltage: every device's formation time, and (median, 10 %, 90 %) of the formed ones [s].

    Returns
    -------
    dict
        ``voltage_V`` (V,), ``t_form_s`` list of arrays, ``band`` (V, 3),
        ``formed_fraction`` (V,), ``devices`` (V,).
    """
    from memcompact.studies import quantile_band

    data = table.filter(pc.equal(table["status"], "ok")).to_pydict()
    by_v = {}
    for v, times in zip(data["voltage_V"], data["t_form_s"]):
        by_v.setdefault(v, []).extend(np.nan if t is None else t for t in times)
    volts = np.array(sorted(by_v))
    times = [np.asarray(by_v[v], dtype=float) for v in volts]
    return {"voltage_V": volts, "t_form_s": times,
            "band": np.array([quantile_band(t) for t in times]).reshape(-1, 3),
            "formed_fraction": np.array([np.isfinite(t).mean() for t in times]),
            "devices": np.array([t.size for t in times])}


def plot_results(table, path=None):
    """Formation time vs voltage: device density, median and 10-90 % band."""
    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    s = summarise(table)
    fig, ax = plt.subplots(figsize=(7.5, 5.2), constrained_layout=True)
    volts = s["voltage_V"]
    if volts.size:
        finite = np.concatenate([t[np.isfinite(t)] for t in s["t_form_s"]] + [np.array([1.0])])
        y_edges = np.linspace(np.floor(np.log10(finite.min())) - 0.5, np.ceil(np.log10(finite.max())) + 0.5, 90)
        step = np.diff(volts).min() if volts.size > 1 else 0.1
        x_edges = np.concatenate([volts - step / 2, [volts[-1] + step / 2]])
        density = np.zeros((volts.size, y_edges.size - 1))
        for k, t in enumerate(s["t_form_s"]):
            density[k], _ = np.histogram(np.log10(t[np.isfinite(t)]), bins=y_edges)
            density[k] /= max(t.size, 1)
        from matplotlib.colors import LogNorm
        shown = np.ma.masked_less(density.T, 1e-4)
        mesh = ax.pcolormesh(x_edges, 10 ** y_edges, shown, cmap="Blues", shading="flat",
                             norm=LogNorm(vmin=1e-4, vmax=max(float(density.max()), 1e-3)))
        fig.colorbar(mesh, ax=ax, label="share of devices per bin")
        med, lo, hi = s["band"].T
        ax.fill_between(volts, lo, hi, color="tab:orange", alpha=0.25, lw=0, label="10-90 % of devices")
        ax.plot(volts, med, "o-", color="tab:red", ms=4, label="median")
        for v, f, m in zip(volts, s["formed_fraction"], med):
            if f < 0.995:
                ax.annotate(f"{100 * f:.0f} % formed", (v, m if np.isfinite(m) else 10 ** y_edges[-1]),
                            textcoords="offset points", xytext=(4, 8), fontsize=7, rotation=45)
    ax.set_yscale("log")
    ax.set_xlabel("constant voltage  V  [V]")
    ax.set_ylabel("formation time  t_form  [s]")
    n_dev = int(s["devices"].min()) if volts.size else 0
    ax.set_title(f"compact model voltage-time map\n{n_dev:,} devices per voltage with device-to-device spread",
                 fontsize=10)
    ax.legend(loc="upper right", fontsize=8)
    ax.grid(alpha=0.3)
    if path is not None:
        from memcompact.io import atomic_savefig
        atomic_savefig(fig, path, dpi=110)
    return fig
