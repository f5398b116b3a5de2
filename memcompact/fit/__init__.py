"""Fitting the compact model to measured I-t curves, on lmfit (DESIGN section 1: the device engineer's job).

>>> from memcompact.fit import fit_it
>>> result = fit_it(["a.csv", "b.csv"])          # doctest: +SKIP
>>> print(result.report()); result.plot("fit.png")  # doctest: +SKIP

See docs/fitting.md.
"""

from memcompact.fit.core import SERIES, FitResult, FitWarning, GlobalProblem, fit_it
from memcompact.fit.data import (
    CurveData, crossing_time_s, dated_events, estimate_noise_floor_A, formation_crossing_s, log_current,
    prepare_curve,
)
from memcompact.fit.plot import plot_fit
from memcompact.fit.report import build_card, fit_report_text
from memcompact.fit.start import CORE_VARY, default_vary, starting_candidates, starting_values

__all__ = [
    "CORE_VARY", "CurveData", "FitResult", "FitWarning", "GlobalProblem", "SERIES", "build_card",
    "crossing_time_s", "dated_events", "default_vary", "estimate_noise_floor_A", "fit_it", "formation_crossing_s",
    "fit_report_text", "log_current", "plot_fit", "prepare_curve", "starting_candidates", "starting_values",
]
