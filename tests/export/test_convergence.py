"""Convergence of the Verilog-A model in ngspice with default options, 200 random devices, two ways.

Parameters drawn across their bounds (log-uniform where log_scale), seed 0;
each device: sweep to +-V (V in [1, 5] V) then 20 pulses of +-V with 1 ns
edges, 1 kOhm in series (memcompact.export.convergence). Every device runs
with ``uic`` and from ngspice's transient operating point (no ``uic``). The
failure counts are printed and asserted (goal 0); a failure names the device.
The 1,000-device figure: benchmarks/bench_convergence.py.
"""

from __future__ import annotations

import numpy as np
import pytest

from memcompact.export.convergence import run_survey, summary_lines

pytestmark = [pytest.mark.ngspice, pytest.mark.slow]

#: Failures accepted, per mode: the goal.
MAX_FAILURES = 0
#: Largest per-device median |log10 I_op - log10 I_uic| [decades]: away from abrupt events
#: the two runs are the same curve (measured: below 1e-6 on all 200; the 0.05 of the parity tests).
MAX_MEDIAN_DEVIATION = 0.05


@pytest.fixture(scope="module")
def survey(backends):
    result = run_survey(backends.osdi, n_devices=200, seed=0, workers=2)
    print("\n" + "\n".join(summary_lines(result)))
    return result


@pytest.mark.parametrize("mode", ["uic", "op"])
def test_200_random_devices_converge_with_default_options(survey, mode):
    failures = survey.failures_of(mode)
    for index, _, v_max, params, message in failures:
        print(f"  device {index} ({mode}), +-{v_max:.2f} V: {message}\n    {params}")
    assert len(failures) <= MAX_FAILURES


def test_operating_point_runs_follow_the_uic_runs(survey):
    deviations = survey.deviations()
    assert len(deviations) == survey.n_devices
    medians = np.array([d[0] for d in deviations.values()])
    assert medians.max() < MAX_MEDIAN_DEVIATION


#: Devices of the 1,000-device survey (benchmarks/bench_convergence.py) that once failed past the
#: 200 the test runs: 352 and 738 crawled at ngspice's chgtol (fixed by the state charge); 676 slid
#: along the flank's 10 mV sign window (fixed by the flank's net Butler-Volmer rate, docs/export.md);
#: 724 then stopped at its full reservoir (fixed by bounding the step by the drain, not d_reservoir).
ONCE_FAILED = (352, 676, 724, 738)


def test_devices_that_once_failed_past_the_200_converge(backends):
    result = run_survey(backends.osdi, seed=0, workers=2, indices=ONCE_FAILED, timeout_s=120.0)
    print("\n" + "\n".join(summary_lines(result)))
    assert result.n_devices == len(ONCE_FAILED)
    assert {r.index for r in result.runs} == set(ONCE_FAILED)
    assert result.failures == []
    medians = np.array([d[0] for d in result.deviations().values()])
    assert len(medians) == len(ONCE_FAILED) and medians.max() < MAX_MEDIAN_DEVIATION


def test_the_command_reruns_one_device(capsys):
    from memcompact.export.convergence import main

    assert main(["--device", "352", "--timeout", "120"]) == 0
    out = capsys.readouterr().out
    assert "device 352" in out and "0 failures of 1 devices" in out
    with pytest.raises(SystemExit) as exc:
        main(["--device", "-3"])
    assert exc.value.code == 2
