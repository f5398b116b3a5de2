"""SPICE toolchain: ngspice (shared library via PySpice, or the ``ngspice -b``
binary) and the OpenVAF Verilog-A compiler.

Typical use::

    from memcompact.spice import compile_va, run_netlist
    osdi = compile_va("verilog_a/memristor.va")          # -> memristor.osdi
    result = run_netlist(netlist_text, osdi=[osdi])      # shared ngspice
    v_out, i_src = result.v("out"), result.i("V1")       # [V], [A]

``python -m memcompact.spice`` checks the whole chain.
"""

from memcompact.spice.batch import find_ngspice, ngspice_binary_version, run_batch, run_batch_all
from memcompact.spice.library import find_libngspice
from memcompact.spice.rawfile import read_raw
from memcompact.spice.result import SimulationError, SpiceResult
from memcompact.spice.shared import (
    has_osdi, load_osdi, ngspice_shared, ngspice_version, run_netlist, run_netlist_all,
)
from memcompact.spice.toolchain import check_toolchain
from memcompact.spice.vacompile import compile_va, find_va_compiler

__all__ = [
    "SimulationError", "SpiceResult", "check_toolchain", "compile_va", "find_libngspice",
    "find_ngspice", "find_va_compiler", "has_osdi", "load_osdi", "ngspice_binary_version",
    "ngspice_shared", "ngspice_version", "read_raw", "run_batch", "run_batch_all",
    "run_netlist", "run_netlist_all",
]
