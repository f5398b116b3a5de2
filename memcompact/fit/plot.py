"""Plot of a fit: data and model, log current vs time, one panel per curve, residuals below."""

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
    fig, axes = plt.subplots(2, n, figsize=(4.2 * n + 0.8, 5.2), squeeze=False, sharex="col",
                             gridspec_kw={"height_ratios": [3, 1]})
    for k, (d, mi) in enumerate(zip(result.data, result.model_current_A)):
        ax, axr = axes[0, k], axes[1, k]
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
    fig.suptitle("memcompact fit: log current vs time", fontsize=10)
    fig.tight_layout()
    if path is not None:
        from memcompact.io import atomic_savefig
        atomic_savefig(fig, path, dpi=110)
        plt.close(fig)
    return fig


__all__ = ["plot_fit"]
