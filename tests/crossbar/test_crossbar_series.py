"""`memcompact crossbar` and a card's fitted loop resistance: not used (the array's own wires, drivers
and sense are the loop), and it says so in one line on stderr and in summary.json."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from memcompact.model.cards import preset_card


@pytest.mark.parametrize("recorded", [None, 1500.0])
def test_crossbar_reports_the_cell_series_resistance(tmp_path, recorded):
    card = preset_card("ag_sio2")
    if recorded is not None:
        card["series_resistance_ohm"] = recorded
    path = tmp_path / "card.json"
    path.write_text(json.dumps(card))
    out = tmp_path / "out"
    proc = subprocess.run([sys.executable, "-m", "memcompact", "crossbar", "--rows", "2", "--cols", "2",
                           "--task", "vmm", "--engine", "python", "--card", str(path), "--driver-ohm", "50",
                           "-o", str(out), "--quiet"], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr
    lines = [x for x in proc.stderr.splitlines() if x.startswith("series resistance:")]
    assert len(lines) == 1
    assert lines[0].startswith("series resistance: 0 Ohm per cell (")
    assert "--driver-ohm 50 Ohm" in lines[0] and "docs/crossbar.md" in lines[0]
    if recorded is None:
        assert "(default:" in lines[0]
    else:
        assert "the card's fitted loop resistance, 1500 Ohm, belongs to its measurement set-up and is not used" \
            in lines[0]
    summary = json.loads((out / "summary.json").read_text())
    assert summary["cell_series_resistance_ohm"] == 0.0
    assert summary["card_series_resistance_ohm"] == recorded
