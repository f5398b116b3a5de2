"""The README's commands run as written (issue 8).

Every ``memcompact ...`` line of the README's ``sh`` blocks runs, in order,
with ``out/`` redirected to a temporary folder; the ngspice snippet of "Use the
Verilog-A model in your ngspice netlist" is pasted into a stress testbench and
run with ``ngspice -b``. Two commands run in their small setting, named here:
the demo (``make demo``'s job, end to end in tests/test_demo.py) and the digits
study (``--quick``).
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"

#: Commands run in their small setting here: subcommand -> extra arguments.
QUICK_ARGS = {"study": ["--quick"], "demo": ["--quick"]}

pytestmark = [pytest.mark.slow, pytest.mark.ngspice]


def blocks(language):
    text = README.read_text()
    return re.findall(rf"```{language}\n(.*?)```", text, flags=re.S)


def readme_commands():
    cmds = []
    for block in blocks("sh"):
        for line in block.splitlines():
            line = line.split("  #")[0].strip()
            if line.startswith("memcompact "):
                cmds.append(line)
    return cmds


def test_readme_has_the_two_commands_first():
    first = blocks("sh")[0]
    assert "make demo" in first and "make test" in first
    assert README.read_text().index("make demo") < README.read_text().index("## Fit your own")


def test_readme_figure_exists():
    for path in re.findall(r"!\[[^\]]*\]\(([^)]+)\)", README.read_text()):
        assert (ROOT / path).stat().st_size > 10_000, path


def test_readme_links_exist():
    for path in re.findall(r"\]\(((?:docs|examples)/[^)#]*)\)", README.read_text()):
        assert (ROOT / path).exists(), path


@pytest.fixture(scope="module")
def ran(tmp_path_factory):
    out = tmp_path_factory.mktemp("readme")
    results = []
    for cmd in readme_commands():
        args = cmd.replace("out/", f"{out}/").split()
        args += QUICK_ARGS.get(args[1], [])
        proc = subprocess.run([sys.executable, "-m", "memcompact", *args[1:]], cwd=ROOT, capture_output=True,
                              text=True, timeout=900)
        results.append((cmd, proc))
    return out, results


def test_every_readme_command_runs(ran):
    _, results = ran
    assert len(results) >= 4
    for cmd, proc in results:
        assert proc.returncode == 0, f"{cmd}\n{proc.stderr[-2000:]}"


def test_readme_commands_write_what_the_readme_says(ran):
    out, _ = ran
    for name in ("card.json", "report.txt", "fit.png"):
        assert (out / "fit" / name).stat().st_size > 0
    assert (out / "memcompact_ecm.osdi").stat().st_size > 10_000
    assert any((out / "xbar").glob("*.cir"))
    assert (out / "digits" / "summary.json").exists()


def test_readme_spice_snippet_runs_in_ngspice(ran, tmp_path):
    out, _ = ran
    ngspice = shutil.which("ngspice")
    assert ngspice, "ngspice not on PATH"
    snippet = blocks("spice")[0].replace("out/", f"{out}/")
    netlist = "\n".join([
        "* README snippet in a 4.5 V stress testbench (the fitted card of the README's fit forms in ~1 min)",
        "V1 src 0 PWL(0 0 1m 4.5 200 4.5)",
        "R1 src top 500",
        "V0 bottom 0 0",
        snippet,
        ".tran 0.05 200 0 0.05 uic",
        ".meas tran i_end find i(V0) at=200",
        ".meas tran i_start find i(V0) at=1",
        ".end",
    ])
    path = tmp_path / "readme.cir"
    path.write_text(netlist)
    proc = subprocess.run([ngspice, "-b", str(path)], capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-2000:]
    values = dict(re.findall(r"^(i_\w+)\s*=\s*([-+0-9.eE]+)", proc.stdout, flags=re.M))
    i_start, i_end = abs(float(values["i_start"])), abs(float(values["i_end"]))
    # a fresh device first (HRS), formed by the end: the module runs with the fitted card's defaults
    assert i_start < 1e-9
    assert i_end > 1e3 * i_start
