"""The standalone Python export equals the package to 1e-9 relative, with numpy only."""

from __future__ import annotations

import ast
import json
import subprocess
import sys

import numpy as np

from memcompact.export import python_module_source
from memcompact.model import card_params, compiled, integrate, preset_card, pulse_train, triangle

#: Run in a fresh interpreter where importing memcompact is impossible.
_SCRIPT = r"""
import json, sys
sys.modules["memcompact"] = None
sys.path.insert(0, sys.argv[1])
import numpy as np
import standalone as m
out = {}
rng = np.random.default_rng(1)
n = 500
state = (rng.uniform(0, 1.1, n), rng.uniform(0.3, 40, n), rng.uniform(1, 15, n), rng.uniform(0, 1, n))
v = rng.uniform(-10, 10, n)
d, i, o = m.rhs(v, state, m.PARAMS)
out["rhs"] = [np.broadcast_to(x, (n,)).tolist() for x in d] + [np.broadcast_to(i, (n,)).tolist()]
out["state"] = [s.tolist() for s in state]
out["v"] = v.tolist()
st = m.triangle(5.0, -4.0, 2.0, cycles=1)
t = np.linspace(0, 2, 401)
out["sweep"] = m.simulate(st, series_resistance_ohm=1e3, t_eval=t, rtol=1e-4).current_A[0].tolist()
st = m.pulse_train([5.0] * 20 + [-1.5] * 10, 1e-4, 1e-3, base_V=0.1)
t = m.pulse_centers(30, 1e-4, 1e-3)
out["pulses"] = m.simulate(st, series_resistance_ohm=1e3, t_eval=t, rtol=1e-4).current_A[0].tolist()
print(json.dumps(out))
"""


def _run_standalone(tmp_path, card):
    (tmp_path / "standalone.py").write_text(python_module_source(card))
    proc = subprocess.run([sys.executable, "-c", _SCRIPT, str(tmp_path)], capture_output=True, text=True,
                          timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    return json.loads(proc.stdout)


def test_imports_only_numpy_and_stdlib():
    tree = ast.parse(python_module_source(preset_card("ag_sio2")))
    modules = {a.name.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.Import) for a in n.names}
    modules |= {n.module.split(".")[0] for n in ast.walk(tree) if isinstance(n, ast.ImportFrom)}
    assert modules <= {"numpy", "__future__", "dataclasses"}


def test_standalone_equals_package_to_1e_9(tmp_path):
    card = preset_card("cu_sio2")
    out = _run_standalone(tmp_path, card)
    p = card_params(card)
    state = tuple(np.array(s) for s in out["state"])
    d, i, _ = compiled.rhs(np.array(out["v"]), state, p)
    expected = [np.broadcast_to(x, (500,)) for x in d] + [np.broadcast_to(i, (500,))]
    for got, want in zip(out["rhs"], expected):
        np.testing.assert_allclose(got, want, rtol=1e-9, atol=0)
    sweep = integrate(p, triangle(5.0, -4.0, 2.0, cycles=1), t_eval=np.linspace(0, 2, 401),
                      series_resistance_ohm=1e3, rtol=1e-4).current_A[0]
    np.testing.assert_allclose(out["sweep"], sweep, rtol=1e-9, atol=0)
    from memcompact.model.stimulus import pulse_centers

    pulses = integrate(p, pulse_train([5.0] * 20 + [-1.5] * 10, 1e-4, 1e-3, base_V=0.1),
                       t_eval=pulse_centers(30, 1e-4, 1e-3), series_resistance_ohm=1e3, rtol=1e-4).current_A[0]
    np.testing.assert_allclose(out["pulses"], pulses, rtol=1e-9, atol=0)


def test_standalone_refuses_out_of_range_parameter(tmp_path):
    (tmp_path / "standalone.py").write_text(python_module_source(preset_card("ag_sio2")))
    code = ("import sys; sys.path.insert(0, sys.argv[1]); import standalone as m\n"
            "try:\n    m.simulate(m.constant(1.0, 1.0), params={'thickness_m': 1.0})\n"
            "except ValueError as e:\n    print(e)\n")
    proc = subprocess.run([sys.executable, "-c", code, str(tmp_path)], capture_output=True, text=True)
    assert "thickness_m" in proc.stdout
