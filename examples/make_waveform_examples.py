"""Write the waveform examples of the README's "Fit your own data" (measurement-like, not made by memcompact).

    .venv/bin/python examples/make_waveform_examples.py

The currents come from the seeded, model-agnostic switch of tests/fit/waveform_shapes.py
(a hysteretic device with SET and RESET thresholds, ON/OFF conductances, compliance, noise
and an instrument floor; it never imports memcompact.model), the same generator the
waveform-fit tests use:

- ``stress_1.45V.csv``: 1.45 V for 2 s (the device forms part-way);
- ``sweep_1s.csv``: one triangle +2.5 V -> -1.5 V in 1 s (SET and RESET);
- ``sweep_2V_1s.csv``: the same device swept to +2.0 V / -1.3 V (a held-out amplitude).
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from tests.fit.waveform_shapes import SwitchDevice, switch_device, triangle_drive, write_waveform_csv  # noqa: E402


def main():
    device = SwitchDevice()
    out = ROOT / "examples"
    t = np.linspace(0.0, 2.0, 201)
    v = np.full_like(t, 1.45)
    i, _ = switch_device(t, v, device=device, seed=5)
    print(write_waveform_csv(out / "stress_1.45V.csv", t, i, v, device=device))
    for name, v_max, v_min, seed in (("sweep_1s", 2.5, -1.5, 6), ("sweep_2V_1s", 2.0, -1.3, 7)):
        t, v = triangle_drive(v_max, v_min, 1.0, cycles=1, points_per_period=150)
        i, _ = switch_device(t, v, device=device, seed=seed)
        print(write_waveform_csv(out / f"{name}.csv", t, i, v, device=device))


if __name__ == "__main__":
    main()
