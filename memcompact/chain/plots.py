"""Figures of a chain run: the cluster position-time map and the I-t curve.

Functions take ``ax=None``, import matplotlib inside, and return the Axes.
"""

from __future__ import annotations

import numpy as np

EVENT_STYLE = {"t_form_s": ("formation", "tab:green"), "t_drop_s": ("drop", "tab:red"),
               "t_refill_s": ("refill", "tab:purple"), "t_ecm_s": ("ECM", "tab:orange")}


def _axes(ax, figsize):
    import matplotlib.pyplot as plt
    if ax is None:
        _, ax = plt.subplots(figsize=figsize, constrained_layout=True)
    return ax


def plot_clusters(result, ax=None, max_markers=20000):
    """Position-time map of the clusters, marker size from the radius (as the paper's movies read).

    The AE (x = 0, the anode under positive bias) is at the bottom, the IE
    (x = L) at the top; the IE deposit (conventional ECM filament) is shaded
    from the IE down to its tip, the gap opened at the AE contact by depletion
    below x = 0.

    Parameters
    ----------
    result : ChainResult
        A finished run.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    max_markers : int
        Thin the samples so that at most this many markers are drawn.
    """
    ax = _axes(ax, (8.0, 4.8))
    p = result.params
    L_nm = p.thickness_m * 1e9
    t, x, r, ids = result.clusters.flat()
    if t.size > max_markers:
        keep_t = np.unique(t)[:: int(np.ceil(t.size / max_markers))]
        m = np.isin(t, keep_t)
        t, x, r, ids = t[m], x[m], r[m], ids[m]
    ts = result.time_s
    tr = result.traces
    ax.fill_between(ts, L_nm - tr["ie_height_m"] * 1e9, L_nm, color="tab:orange", alpha=0.35, lw=0,
                    label="IE deposit")
    ax.fill_between(ts, -tr["contact_gap_m"] * 1e9, 0.0, color="tab:red", alpha=0.3, lw=0,
                    label="AE contact gap")
    if t.size:
        size = (r * 1e9 / 1.0) ** 2 * 12.0  # marker area ~ r^2; r = 1 nm -> 12 pt^2
        sc = ax.scatter(t, x * 1e9, s=size, c=r * 1e9, cmap="viridis", vmin=0.0,
                        vmax=max(2.5, float(np.max(r)) * 1e9), alpha=0.6, lw=0, label="clusters")
        cb = ax.figure.colorbar(sc, ax=ax, pad=0.01)
        cb.set_label("cluster radius [nm]")
    ax.axhline(0.0, color="0.2", lw=2.0)
    ax.axhline(L_nm, color="0.2", lw=2.0)
    ax.text(0.005, 0.01, f"AE ({p.metal}, anode)", transform=ax.transAxes, va="bottom", fontsize=9)
    ax.text(0.005, 0.99, "IE (inert)", transform=ax.transAxes, va="top", fontsize=9)
    for key, (label, colour) in EVENT_STYLE.items():
        tv = result.events.get(key)
        if tv is not None:
            ax.axvline(tv, color=colour, ls="--", lw=1.0)
    pad = 0.06 * L_nm
    low = min(-pad, -float(np.max(tr["contact_gap_m"])) * 1e9 - 0.5)
    ax.set_ylim(low, L_nm + pad)
    ax.set_xlim(ts[0], ts[-1])
    ax.set_xlabel("time [s]")
    ax.set_ylabel("position from the AE [nm]")
    v = result.curve.metadata.get("voltage_V")
    vtxt = f"{v:g} V" if isinstance(v, (int, float)) else str(v)
    ax.set_title(f"{p.metal}/dielectric {L_nm:g} nm, {vtxt}: regime {result.regime}")
    ax.legend(loc="upper right", fontsize=8, framealpha=0.8)
    return ax


def plot_current(result, ax=None):
    """log |I| versus time with the detected events marked.

    Parameters
    ----------
    result : ChainResult
        A finished run.
    ax : matplotlib.axes.Axes, optional
        Where to draw; a new figure when None.
    """
    ax = _axes(ax, (8.0, 4.2))
    t = result.time_s
    i = np.abs(result.current_A)
    ax.semilogy(t, np.maximum(i, 1e-16), color="k", lw=1.2, label="|I|")
    for key, (label, colour) in EVENT_STYLE.items():
        tv = result.events.get(key)
        if tv is not None:
            ax.axvline(tv, color=colour, ls="--", lw=1.2, label=f"{label} {tv:.3g} s")
    ax.set_xlabel("time [s]")
    ax.set_ylabel("current |I| [A]")
    ax.set_xlim(t[0], t[-1])
    ax.grid(True, which="major", alpha=0.3)
    v = result.curve.metadata.get("voltage_V")
    vtxt = f"{v:g} V" if isinstance(v, (int, float)) else str(v)
    ax.set_title(f"{result.params.metal}, {result.params.thickness_m * 1e9:g} nm, {vtxt}, seed {result.seed}")
    ax.legend(loc="upper left", fontsize=8, framealpha=0.85)
    return ax


def save_figures(result, folder):
    """Write ``clusters.png`` and ``it.png`` into ``folder`` atomically; return their paths."""
    from pathlib import Path

    import matplotlib
    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    from memcompact.io import atomic_savefig
    folder = Path(folder)
    out = []
    for name, fn in (("clusters.png", plot_clusters), ("it.png", plot_current)):
        ax = fn(result)
        atomic_savefig(ax.figure, folder / name, dpi=120)
        plt.close(ax.figure)
        out.append(folder / name)
    return out
