"""Check the SPICE toolchain end to end: compiler, OSDI, shared and batch ngspice.

``python -m memcompact.spice`` prints the report and exits 0 when everything
works, 3 otherwise.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from memcompact.errors import ToolchainError

#: A linear resistor in Verilog-A, the smallest useful OSDI smoke test.
RESISTOR_VA = """\
`include "disciplines.vams"
// Linear resistor: I = V / r.  Toolchain smoke test of memcompact.
module mc_resistor(p, n);
    inout p, n;
    electrical p, n;
    (* desc = "resistance", units = "Ohm" *) parameter real r = 1e3 from (0:inf);
    analog I(p, n) <+ V(p, n) / r;
endmodule
"""

_NETLIST = """\
* memcompact toolchain check: Verilog-A resistor, DC sweep
V1 a 0 dc 0
N1 a 0 rmod
.model rmod mc_resistor r={r!r}
.dc V1 -1 1 0.5
.end
"""


def check_toolchain(r_ohm=2.0e3):
    """Compile a Verilog-A resistor, run it in shared and batch ngspice.

    Parameters
    ----------
    r_ohm : float
        Resistance of the test resistor [Ohm].

    Returns
    -------
    dict
        ``compiler``, ``libngspice``, ``ngspice_shared`` (version),
        ``ngspice_binary`` (version), and ``max_rel_err_shared`` /
        ``max_rel_err_batch``: the largest relative deviation of the swept
        current from Ohm's law.

    Raises
    ------
    ToolchainError
        Any part missing or failing.
    """
    from memcompact.spice import batch, library, shared, vacompile

    report = {"compiler": vacompile.find_va_compiler(), "libngspice": library.find_libngspice()}
    report["ngspice_shared"] = shared.ngspice_version()
    report["ngspice_binary"] = batch.ngspice_binary_version()
    with tempfile.TemporaryDirectory(prefix="memcompact-toolchain-") as tmp:
        va = Path(tmp) / "mc_resistor.va"
        va.write_text(RESISTOR_VA)
        osdi = vacompile.compile_va(va)
        netlist = _NETLIST.format(r=r_ohm)
        for mode, run in (("shared", shared.run_netlist), ("batch", batch.run_batch)):
            result = run(netlist, osdi=[osdi])
            v = result.scale
            expected = -v / r_ohm  # SPICE: source current flows into its + node
            got = result.i("V1")
            nonzero = v != 0
            err = np.max(np.abs(got[nonzero] - expected[nonzero]) / np.abs(expected[nonzero]))
            if not err < 1e-9:
                raise ToolchainError(
                    f"{mode} ngspice: resistor current off Ohm's law by {err:.3g} (relative)"
                )
            report[f"max_rel_err_{mode}"] = float(err)
    return report


def main():
    """Print the toolchain report; return 0 if it works, 3 if not."""
    import sys

    try:
        report = check_toolchain()
    except ToolchainError as exc:
        print(f"memcompact toolchain: FAILED: {exc}", file=sys.stderr)
        return 3
    for key, value in report.items():
        print(f"{key}: {value}")
    print("memcompact toolchain: OK (Verilog-A -> OSDI -> ngspice shared and batch)")
    return 0
