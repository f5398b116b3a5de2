"""Plots of crossbar results (each takes ``ax=None`` and returns the Figure)."""

from __future__ import annotations

import numpy as np


def _axes(ax, figsize=(5.5, 4.5)):
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    if ax is None:
        fig, ax = plt.subplots(figsize=figsize)
    return ax.figure, ax


def plot_read_map(read_currents_A, pattern=None, title="", ax=None):
    """Heatmap of log10 |read current| [A]; cells meant to be ON outlined."""
    fig, ax = _axes(ax)
    data = np.log10(np.maximum(np.abs(read_currents_A), 1e-18))
    im = ax.imshow(data, cmap="viridis", interpolation="nearest")
    fig.colorbar(im, ax=ax, label="log10 read current [A]")
    if pattern is not None and np.asarray(pattern).size <= 1024:
        ii, jj = np.nonzero(pattern)
        ax.scatter(jj, ii, marker="s", facecolors="none", edgecolors="w", s=30, linewidths=0.6, label="SET")
        ax.legend(loc="upper right", fontsize=7)
    ax.set_xlabel("column")
    ax.set_ylabel("row")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_ir_drop(drop_V, title="", ax=None):
    """Heatmap of the voltage lost on wires and drivers at each cell [V] (applied row voltage minus cell voltage)."""
    fig, ax = _axes(ax)
    im = ax.imshow(np.asarray(drop_V) * 1e3, cmap="magma", interpolation="nearest")
    fig.colorbar(im, ax=ax, label="IR drop [mV]")
    ax.set_xlabel("column (sensed at the bottom)")
    ax.set_ylabel("row (driven from the left)")
    ax.set_title(title)
    fig.tight_layout()
    return fig


def plot_sneak_margin(sizes, margins, ax=None):
    """Read margin vs array size; ``margins`` = {label: values}."""
    fig, ax = _axes(ax)
    for label, values in margins.items():
        ax.plot(sizes, 100 * np.asarray(values), "o-", label=label)
    ax.set_xscale("log", base=2)
    ax.set_xlabel("array size N (N x N)")
    ax.set_ylabel("read margin (V_LRS - V_HRS) / V_read [%]")
    ax.set_title("worst-case read margin, unselected lines floating")
    ax.grid(alpha=0.3)
    ax.legend()
    fig.tight_layout()
    return fig


def plot_vmm_error(sizes, errors, ax=None):
    """Mean relative VMM error vs array size; ``errors`` = {wire resistance [Ohm]: values}."""
    fig, ax = _axes(ax)
    for wire, values in errors.items():
        ax.plot(sizes, 100 * np.asarray(values), "o-", label=f"{wire:g} Ohm / segment")
    ax.set_xscale("log", base=2)
    ax.set_yscale("log")
    ax.set_xlabel("array size N (N x N)")
    ax.set_ylabel("mean |I - I_ideal| / I_ideal [%]")
    ax.set_title("VMM error vs ideal (random inputs and weights)")
    ax.grid(alpha=0.3, which="both")
    ax.legend()
    fig.tight_layout()
    return fig


def plot_variability(on_A, off_A, nominal_on_A=None, nominal_off_A=None, ax=None):
    """Histograms of log10 read currents of ON and OFF cells over Monte Carlo trials."""
    fig, ax = _axes(ax)
    bins = np.linspace(min(np.log10(np.min(off_A)), np.log10(np.min(on_A))) - 0.2,
                       max(np.log10(np.max(off_A)), np.log10(np.max(on_A))) + 0.2, 60)
    ax.hist(np.log10(on_A), bins=bins, alpha=0.7, label="SET cells")
    ax.hist(np.log10(off_A), bins=bins, alpha=0.7, label="unselected cells")
    for value, style in ((nominal_on_A, "C0"), (nominal_off_A, "C1")):
        if value is not None:
            ax.axvline(np.log10(value), color=style, ls="--", lw=1)
    ax.set_xlabel("log10 read current [A]")
    ax.set_ylabel("cells")
    ax.set_title("Monte Carlo device spread (dashed: no spread)")
    ax.legend()
    fig.tight_layout()
    return fig
