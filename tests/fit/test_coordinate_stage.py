"""The coordinate scan after least_squares (memcompact.fit.core._coordinate_stage).

A one-parameter problem whose residual is steep in that parameter, like a refill the parameter
dates: a logistic step of 3 decades, 0.05 s wide (the shapes of tests/fit/curve_shapes.py step
within a sample), at t_event = 100 s x 10**(-x) (63 s at the true x = 0.2), sampled every
0.5 s. A fit stopped 0.03 decade (4.2 s, 8 samples) beside the step (least_squares after one
evaluation) must be brought to it; the polish is least_squares as in the fit (forward differences
of LOG_STEP). On this clean toy least_squares alone finds the step too; where it does not (noise, the robust loss, several coupled
parameters), tests/fit/test_fit_shapes.py's drop-and-refill curves are the check: with the
flank's net rate they fitted at 0.41-0.48 decade without the scan.
"""

from __future__ import annotations

from types import SimpleNamespace

import lmfit
import numpy as np

from memcompact.fit.core import LOG_STEP, _coordinate_stage

TIME_S = np.linspace(0.0, 200.0, 401)
TRUE_X = 0.2


def _curve(x):
    t_event = 100.0 * 10.0 ** (-x)
    return 3.0 / (1.0 + np.exp(-np.clip((TIME_S - t_event) / 0.05, -700, 700)))


class StepObjective:
    var_names = ["log10_rate"]

    def __init__(self):
        self.data = _curve(TRUE_X)
        self.evaluations = 0

    def values(self, p):
        return np.array([p["log10_rate"].value])

    def evaluate(self, rows):
        self.evaluations += 1
        return [_curve(r[0]) - self.data for r in rows]

    def residual(self, p):
        return self.evaluate([self.values(p)])[0]


def _setup(start_x):
    objective = StepObjective()
    problem = SimpleNamespace(data=[SimpleNamespace(log_i=objective.data, plateau=np.zeros(TIME_S.size, bool),
                                                    marks={})])
    pars = lmfit.Parameters()
    pars.add("log10_rate", value=start_x, min=-1.0, max=1.0)
    stuck = lmfit.minimize(objective.residual, pars, method="least_squares", max_nfev=1)

    def jacobian(p):
        # forward differences of LOG_STEP, as LeastSquaresObjective.jacobian
        x = objective.values(p)
        r0, r1 = objective.evaluate([x, x + LOG_STEP])
        return ((r1 - r0) / LOG_STEP)[:, None]

    def local(p):
        return lmfit.minimize(objective.residual, p, method="least_squares", Dfun=jacobian, loss="soft_l1",
                              f_scale=0.1, x_scale="jac")

    return objective, problem, stuck, local


def test_scan_finds_the_step_beside_a_stuck_fit():
    objective, problem, stuck, local = _setup(TRUE_X + 0.03)  # RMS 0.44 decade
    result, record = _coordinate_stage(stuck, objective, local, problem, 0.3, "soft_l1", 0.1)
    assert record["rounds"] >= 1
    assert record["rms_before"][0] > 0.3 > record["rms_after"][0]
    # within the scan's finest offset (0.005 decade: 1.2 s, ~2 samples)
    assert abs(result.params["log10_rate"].value - TRUE_X) <= 0.0051


def test_scan_does_not_run_below_the_threshold():
    objective, problem, stuck, local = _setup(TRUE_X + 1e-4)
    evaluations = objective.evaluations
    result, record = _coordinate_stage(stuck, objective, local, problem, 0.3, "soft_l1", 0.1)
    assert record["rounds"] == 0 and "rms_after" not in record
    assert result is stuck and objective.evaluations == evaluations
