"""docs/model.md, generated from the one model definition (so the docs cannot drift).

Run ``python -m memcompact.model.docs`` to rewrite docs/model.md; a test
checks the committed file equals this output.
"""

from __future__ import annotations

import sys
from pathlib import Path

from memcompact.model.equations import CONSTANTS, CURRENT, DERIVATIVES, EQUATIONS, STATES
from memcompact.model.expr import HELPERS
from memcompact.model.parameters import parameter_table_markdown

INTRO = """\
# The compact model

`memcompact.model` condenses the cluster chain (`memcompact.chain`, docs/chain.md) into four
state variables and one quasi-static temperature. Everything below is generated from
`memcompact/model/parameters.py` and `memcompact/model/equations.py`, the one definition that the
Python solver, the Verilog-A module and the ngspice subcircuit are all made from
(`python -m memcompact.model.docs` rewrites this file).

## From the chain to the states

| state | unit | chain physics it condenses (seed paper) |
| --- | --- | --- |
| `nucleation` | 1 | the first stable cluster near the AE: stochastic nucleation over the barrier of eq. (1), `dG(N_c) = -N_c z e dphi + Phi(N_c) + N_c eps`; the state integrates the nucleation rate, 1 = nucleated (Fig. 4b: clusters near Ag after minutes) |
| `gap_nm` | nm | the distance the cluster chain still has to bridge: splitting-merging of bipolar-electrode clusters (eqs. 2-3, Fig. 1m-p, Fig. 4f-j) condensed into one front moving by Butler-Volmer deposition in series with field-driven ion hopping; electrons tunnel across it (abrupt formation, Fig. 5a) |
| `radius_nm` | nm | filament thickening: a thin, cluster-built filament when cool; when Joule heating raises the filament temperature above `ecm_temperature_K`, ions reach the IE and a thick ECM wire grows (Fig. 6) |
| `reservoir` | 1 | metal left at the AE interface: filament growth takes it, dissolution returns it; below `reservoir_critical` the contact breaks (a tunnelling nanogap, Fig. 5e-f, the spontaneous current drop) and positive bias refills it by surface diffusion (Fig. 5h-j) |

The filament temperature has a sub-nanosecond time constant, ten decades below the ionic time
scales, so it is algebraic: `T = T_amb + dT_max tanh(R_th P / dT_max)` with `P` the Joule power in
the filament. Voltages: `V` is across the device, active electrode minus inert electrode.

## Behaviours (tests in tests/model/test_behaviour.py)

| behaviour | how it arises | paper |
| --- | --- | --- |
| formation delay falls steeply with V (8.9 decades from 2 V to 4 V) | nucleation and tip deposition are Butler-Volmer rates with a share of V lowering the barrier | Menzel 2013, Fig. 5a (~100 s at 3 V) |
| abrupt formation (> 3 decades in < 5 % of the delay) | the tunnelling current is exponential in the gap; the field at the tip grows as the gap shrinks | Fig. 5a |
| depletion drop, then refill | thickening after formation empties a small AE reservoir, the contact opens; refill under positive bias closes it | Fig. 5a, 5e-f, 5h-j |
| ECM transition (> 1 mA jump, thicker filament) | Joule heating above `ecm_temperature_K` lets the radius grow to the ECM wire | Fig. 6a, 6i |
| RESET, pinched bipolar loops | reverse Butler-Volmer dissolves the front and returns metal to the AE; I = G V | ECM practice |
| gradual, nonlinear, asymmetric pulse response | the gap moves a little per pulse; oxidation and reduction have different transfer coefficients | neuromorphic use |

## Numerics

- Every rate is barrier-limited: `k0 exp(-max(E_a - drive, 0)/kT)` with a smooth max
  (`barrier()`), so no rate exceeds its attempt-frequency prefactor anywhere in the bounds.
- States are held in their bounds by `tanh` windows that vanish at the bound (and push back
  beyond it), applied after the series limit of deposition and hopping. Each Butler-Volmer
  branch has its own window, as eq. (2) splits `dV/dt ~ Gamma_red - Gamma_ox`: reduction stops
  where the state can grow no further (gap at `gap_min`, radius at its largest or at what the
  heat allows, an empty reservoir gives no metal), oxidation where it can shrink no further (no
  filament left, smallest radius, a full reservoir takes no metal back). The smooth sign of V
  (`forward_bias`, 10 mV wide) still picks between the V > 0 windows (growth gated by nucleus,
  supply and contact) and the V < 0 ones, but a branch only ever meets windows that stop *it*:
  in the 10 mV around V = 0, where both branches are of one size, the window of the other sign
  of V guards a branch 4 window widths past its bound (`tanh(distance/width + 4)`, 0.9993 at
  the bound). With one window on the net rate, a branch of the wrong sign met a window that
  pushes it out: a fast card's radius ran from its 34 nm bound to 4,300 nm at a zero crossing,
  and ngspice stopped with "timestep too small" (tests/model/test_step_budget.py).
- The filament flank is the exception: it moves metal at the *net* Butler-Volmer rate,
  `(red + ox) s^2/(s + 0.01)` of the net direction `s = (red - ox)/(red + ox)` (C1 at s = 0),
  deposition within its window and gated by nucleus, supply and heat, dissolution within its
  own. The exchange itself moves no metal. Hot cards exchange ~1e9 nm/s at zero bias; branch
  by branch, the 10 mV sign window let (1 - forward_bias) = 3e-3 of that dissolve a cooled ECM
  wire at +58 mV, and the dissolution's voltage rise shut the leak again: a sliding mode that
  held survey device 676 past 120 s in ngspice. A wire wider than the heat allows is now
  retained under forward bias (device 676: 1.5-1.6 s both ways).
- Only smooth functions (below): the model is C1 in V and every state
  (tests/model/test_properties.py checks finite values, C1 and bounds under +-10 V, 200-1000 K).
- The Python solver is ROS2 (L-stable Rosenbrock, W-method), vectorised with a time step per
  device (`memcompact.model.integrate`). On a voltage ramp a step changes the applied voltage by
  at most 0.1 V (`RAMP_STEP_V`, never below 1 us, so 1 ns pulse edges stay one step): the step's
  Jacobian is taken at its start, and one step across a whole falling ramp carried the stiff
  window that holds a formed gap at `gap_min` into the negative half, where the error estimate
  damped the RESET (a triangle sweep RESET at the -1.5 V corner instead of -0.98 V;
  tests/model/test_ramps.py checks every period against scipy's Radau).
"""


def _eq_table():
    lines = ["| name | unit | expression | meaning |", "| --- | --- | --- | --- |"]
    for eq in EQUATIONS:
        lines.append(f"| `{eq.name}` | {eq.unit} | `{eq.expression}` | {eq.description} |")
    return "\n".join(lines)


def model_markdown():
    """The full text of docs/model.md."""
    states = ["| state | unit | lower | upper | initial | meaning |", "| --- | --- | --- | --- | --- | --- |"]
    for s in STATES:
        states.append(f"| `{s.name}` | {s.unit} | `{s.lower}` | `{s.upper}` | `{s.initial}` | {s.description} |")
    derivs = "\n".join(f"- `d{name}/dt = {text}`" for name, text in DERIVATIVES.items())
    helpers = "\n".join(f"- `{name}({', '.join(args)}) = {body}`" for name, (args, body) in HELPERS.items())
    consts = "\n".join(f"- `{k}` = {v!r}" for k, v in CONSTANTS.items())
    return "\n".join([
        INTRO,
        "## States\n", "\n".join(states), "",
        "## Equations (in evaluation order)\n", _eq_table(), "",
        "## State equations\n", derivs, "", f"Current through the device: `I = {CURRENT}` [A].", "",
        "## Smooth helper functions\n", helpers, "", "Constants:\n", consts, "",
        "## Parameters\n", parameter_table_markdown(),
    ])


def main(argv=None):
    path = Path(argv[0] if argv else "docs/model.md")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(model_markdown(), encoding="utf-8")
    print(f"wrote {path}")


if __name__ == "__main__":
    main(sys.argv[1:])
