"""Convergence of the Verilog-A model in ngspice with default options, 200 random devices.

Parameters drawn across their bounds (log-uniform where log_scale), seed 0;
each device: sweep to +-V (V in [1, 5] V) then 20 pulses of +-V with 1 ns
edges, 1 kOhm in series (memcompact.export.convergence). The failure count is
printed and asserted (goal 0); a failure names the device's parameters.
"""

from __future__ import annotations

import pytest

from memcompact.export.convergence import run_survey

pytestmark = [pytest.mark.ngspice, pytest.mark.slow]

#: Failures accepted: the goal.
MAX_FAILURES = 0


def test_200_random_devices_converge_with_default_options(backends):
    result = run_survey(backends.osdi, n_devices=200, seed=0)
    print(f"convergence: {len(result.failures)} failures of {result.n_devices} devices")
    for index, v_max, params, message in result.failures:
        print(f"  device {index}, +-{v_max:.2f} V: {message}\n    {params}")
    assert len(result.failures) <= MAX_FAILURES
