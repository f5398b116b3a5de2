"""Crossbar arrays of memcompact devices: ngspice netlists, a fast Python
nodal solver, array operations and neuromorphic studies (issue 7).

Typical use::

    from memcompact.crossbar import CrossbarSpec, program_and_read, solve_dc
    spec = CrossbarSpec(16, 16, cell="1R", wire_resistance_ohm=1.0)
    result = program_and_read(spec, pattern, scheme="V/2", engine="ngspice")
    result.read_currents_A                     # (16, 16) [A]

See docs/crossbar.md.
"""

from memcompact.crossbar.netlist import (
    CrossbarSpec, Phase, Transistor, run_dc_ngspice, run_transient_ngspice, run_vmm_ngspice, transient_netlist,
    vmm_netlist,
)
from memcompact.crossbar.operations import ProgramReadResult, program_and_read, program_phases, read_phases, vmm
from memcompact.crossbar.solver import DCSolution, ideal_vmm, simulate_phases, solve_dc

__all__ = [
    "CrossbarSpec", "DCSolution", "Phase", "ProgramReadResult", "Transistor", "ideal_vmm", "program_and_read",
    "program_phases", "read_phases", "run_dc_ngspice", "run_transient_ngspice", "run_vmm_ngspice",
    "simulate_phases", "solve_dc", "transient_netlist", "vmm", "vmm_netlist",
]
