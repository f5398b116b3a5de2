"""Plot of a fit, one column per curve.

Stress curves: log current vs time, residuals below. Waveform curves
(sweeps, pulses, any V(t)): the I-V loop, I(t) and the asinh residuals
(:mod:`memcompact.fit.waveform`), currents on a symmetric log axis that is
linear within the residual's scale.
"""

from __future__ import annotations

import numpy as np

from memcompact.fit.data import log_current


def plot_fit(result, path=None):
    """Draw (and optionally save atomically) the fit of each curve.

    Parameters
    ----------
    result : memcompact.fit.FitResult
    path : str or os.PathLike, optional
        PNG to write.

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib
    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    n = len(result.data)
    waves = [getattr(d, "kind", None) == "waveform" for d in result.data]
    if any(waves):
        fig, axes = plt.subplots(3, n, figsize=(4.2 * n + 0.8, 8.0), squeeze=False,
                                 gridspec_kw={"height_ratios": [3, 2.2, 1]})
    else:
        fig, axes = plt.subplots(2, n, figsize=(4.2 * n + 0.8, 5.2), squeeze=False, sharex="col",
                                 gridspec_kw={"height_ratios": [3, 1]})
    for k, (d, mi) in enumerate(zip(result.data, result.model_current_A)):
        if waves[k]:
            _plot_waveform(axes[:, k], d, mi, result.card["curves"][k], first=k == 0)
            continue
        ax, axr = axes[0, k], axes[1, k]
        if any(waves):
            axes[2, k].set_axis_off()
        t = d.curve.time_s
        ym = log_current(mi, d.noise_floor_A)
        ax.plot(t, d.log_i, ".", ms=2, color="0.45", label="data")
        if d.plateau.any():
            ax.plot(t[d.plateau], d.log_i[d.plateau], ".", ms=2, color="C3", label="compliance")
        ax.plot(t, ym, color="C0", lw=1.2, label="model")
        ev = result.card["curves"][k]["events"]
        for key, color in (("t_form_s", "C2"), ("t_drop_s", "C1"), ("t_ecm_s", "C4")):
            if ev.get(key) is not None:
                ax.axvline(ev[key], color=color, lw=0.8, ls="--", label=key[2:-2])
        ax.set_title(f"{d.voltage_V:g} V  (RMS {result.card['curves'][k]['rms_decades']:.2f} dec)", fontsize=9)
        if k == 0:
            ax.set_ylabel("log10 |I| [A]")
            axr.set_ylabel("model - data [dec]")
        ax.legend(loc="best", fontsize=7)
        axr.plot(t, ym - d.log_i, ".", ms=2, color="C0")
        axr.axhline(0, color="0.3", lw=0.6)
        lim = max(0.5, float(np.nanpercentile(np.abs(ym - d.log_i), 99)))
        axr.set_ylim(-lim, lim)
        axr.set_xlabel("time [s]")
    fig.suptitle("memcompact fit: " + ("I-V loop, I(t) and asinh residuals" if any(waves) else
                                       "log current vs time"), fontsize=10)
    fig.tight_layout()
    if path is not None:
        from memcompact.io import atomic_savefig
        atomic_savefig(fig, path, dpi=110)
        plt.close(fig)
    return fig


def _plot_waveform(axes, d, model_current_A, record, first=False):
    """I-V loop, I(t) and residual panels of one waveform curve (``record``: its card ``curves`` entry)."""
    from memcompact.fit.waveform import asinh_current

    ax_iv, ax_t, ax_r = axes
    t, v, i = d.time_s, d.curve.voltage_V, d.curve.current_A
    ax_iv.plot(v, i, ".", ms=2, color="0.45", label="data")
    ax_iv.plot(v, model_current_A, color="C0", lw=1.0, label="model")
    sw = record["switching"]
    for kind, color in (("set_V", "C2"), ("reset_V", "C3")):
        for who, ls in (("data", ":"), ("model", "--")):
            if sw[kind][who] is not None:
                ax_iv.axvline(sw[kind][who], color=color, lw=0.8, ls=ls,
                              label=f"{kind[:-2].upper()} {who} {sw[kind][who]:.2f} V")
    ax_iv.set_yscale("symlog", linthresh=d.scale_A)
    ax_iv.set_xlabel("voltage [V]")
    ax_iv.set_title(f"{d.label.split('/')[-1]}  (asinh RMS {record['rms_asinh']:.2f} dec)", fontsize=9)
    ax_iv.legend(loc="best", fontsize=6)
    ax_t.plot(t, i, ".", ms=2, color="0.45", label="data")
    ax_t.plot(t, model_current_A, color="C0", lw=1.0, label="model")
    ax_t.set_yscale("symlog", linthresh=d.scale_A)
    ax_v = ax_t.twinx()
    ax_v.plot(t, v, color="C1", lw=0.6, alpha=0.6)
    ax_v.set_ylabel("V [V]", color="C1", fontsize=8)
    ax_t.set_xlabel("time [s]")
    res = asinh_current(model_current_A, d.scale_A) - d.y
    ax_r.plot(t, res, ".", ms=2, color="C0")
    ax_r.axhline(0, color="0.3", lw=0.6)
    lim = max(0.5, float(np.nanpercentile(np.abs(res), 99)))
    ax_r.set_ylim(-lim, lim)
    ax_r.set_xlabel("time [s]")
    if first:
        ax_iv.set_ylabel("current [A]")
        ax_t.set_ylabel("current [A]")
        ax_r.set_ylabel("model - data [dec]")


__all__ = ["plot_fit"]
