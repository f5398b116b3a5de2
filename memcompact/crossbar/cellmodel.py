"""The device as a crossbar cell: the exported model plus per-cell initial states.

The exported Verilog-A module and ngspice subcircuit start every device fresh
(each state is read as its initial value ``<state>_init`` plus a node that
holds the fresh device in ``.op`` and at the start of a ``uic`` transient; see
docs/export.md), and ngspice 46 ignores
``.ic`` on OSDI internal nodes ("IC on non-existent node"). A crossbar needs
programmed cells, so this module derives a *cell* variant from the exported
text: the same equations with four extra parameters ``<state>_offset`` added to
each state's initial value,

    state = state_init + state_offset + V(s_state),

(Verilog-A, before the clamp at the widened bounds; the native cell reads
``state_ref + V(s_state)`` and holds its node at ``state_init + state_offset -
state_ref``), so ``.op``/``.dc`` hold a cell at its given state and transients
start from it.

The exported module itself bounds ngspice's transient step by the filament
front's self-acceleration (``$bound_step``, step control only;
memcompact.export.verilog_a, ``FRONT_STEP_SHARE`` and ``LANDING_STEP_SHARE``),
which the crossbar cells needed first: on the 32x32 benchmark it removes every
100-iteration Newton failure (docs/crossbar.md, "Speed").

Nothing else changes (the derivation checks that every substitution happened,
and the module is renamed so both can be loaded in one ngspice).

``python -m memcompact.crossbar.cellmodel`` writes
``circuits/crossbar/memcompact_ecm_cell.va`` and its OSDI next to it (for the
example netlists there).
"""

from __future__ import annotations

import hashlib
import re
import tempfile
from pathlib import Path

from memcompact.errors import ToolchainError
from memcompact.export import export_text
from memcompact.export.definition import DEVICE_NAME
from memcompact.model import STATE_NAMES, preset_card

#: Name of the cell module / subcircuit.
CELL_NAME = f"{DEVICE_NAME}_cell"
#: Names of the state-offset parameters, in STATE_NAMES order.
OFFSET_NAMES = tuple(f"{name}_offset" for name in STATE_NAMES)


def _substitute(text, pattern, replacement, count_expected, what):
    new, count = re.subn(pattern, replacement, text, flags=re.MULTILINE)
    if count != count_expected:
        raise ToolchainError(f"cannot derive the crossbar cell from the exported {what}: "
                             f"pattern {pattern!r} matched {count} times, expected {count_expected}")
    return new


def cell_verilog_a_source():
    """Verilog-A text of the cell module (exported module + state offsets)."""
    text = export_text("verilog-a", preset_card("ag_sio2"))
    text = _substitute(text, rf"^module {DEVICE_NAME}\(", f"module {CELL_NAME}(", 1, "Verilog-A module")
    declarations = "".join(
        f'    (*desc="initial {name} minus its fresh value (crossbar cell state)"*) '
        f"parameter real {name}_offset = 0.0;\n" for name in STATE_NAMES)
    text = _substitute(text, r"^(\s*analog begin)", declarations + r"\n\1", 1, "Verilog-A module")
    for name in STATE_NAMES:
        text = _substitute(text, rf"^(\s*){name}_unclamped = {name}_init \+ V\(s_{name}\);",
                           rf"\1{name}_unclamped = {name}_init + {name}_offset + V(s_{name});", 1,
                           "Verilog-A module")
    header = (f"// {CELL_NAME}: crossbar cell = {DEVICE_NAME} with per-instance initial states\n"
              f"// (parameters {', '.join(OFFSET_NAMES)}), derived by memcompact.crossbar.cellmodel.\n")
    return header + text


def cell_ngspice_source():
    """ngspice-native subcircuit text of the cell (exported subcircuit + state offsets)."""
    text = export_text("ngspice", preset_card("ag_sio2"))
    text = _substitute(text, rf"^\.subckt {DEVICE_NAME} ae ie", f".subckt {CELL_NAME} ae ie\n"
                       + "\n".join(f"+ {name}=0.0" for name in OFFSET_NAMES), 1, "ngspice subcircuit")
    text = _substitute(text, rf"^\.ends {DEVICE_NAME}\b", f".ends {CELL_NAME}", 1, "ngspice subcircuit")
    for name in STATE_NAMES:
        text = _substitute(text, rf"^\.param {name}_init = \{{(.*)\}}$",
                           rf".param {name}_init = {{(\1) + {name}_offset}}", 1, "ngspice subcircuit")
    return f"* {CELL_NAME}: crossbar cell = {DEVICE_NAME} with per-instance initial states\n" + text


def _cache_dir():
    folder = Path(tempfile.gettempdir()) / "memcompact-crossbar-cell"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def cell_osdi():
    """Path of the compiled cell module (compiled once per source text, cached in the temp folder).

    Raises
    ------
    ToolchainError
        openvaf-r is missing or failed.
    """
    from memcompact.spice import compile_va

    text = cell_verilog_a_source()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    osdi = _cache_dir() / f"{CELL_NAME}_{digest}.osdi"
    if not osdi.is_file():
        va = _cache_dir() / f"{CELL_NAME}_{digest}.va"
        va.write_text(text)
        compile_va(va, osdi)
    return osdi


def cell_library():
    """Path of the cell subcircuit library (written once per source text in the temp folder)."""
    text = cell_ngspice_source()
    digest = hashlib.sha256(text.encode()).hexdigest()[:16]
    lib = _cache_dir() / f"{CELL_NAME}_{digest}.lib"
    if not lib.is_file():
        from memcompact.io import atomic_write_text
        atomic_write_text(lib, text)
    return lib


def write_example_files(folder):
    """Write ``<folder>/memcompact_ecm_cell.va``, compile its ``.osdi``, and the native ``.lib``."""
    from memcompact.io import atomic_write_text
    from memcompact.spice import compile_va

    folder = Path(folder)
    va = folder / f"{CELL_NAME}.va"
    atomic_write_text(va, cell_verilog_a_source())
    atomic_write_text(folder / f"{CELL_NAME}.lib", cell_ngspice_source())
    return compile_va(va)


if __name__ == "__main__":  # pragma: no cover
    out = Path(__file__).resolve().parents[2] / "circuits" / "crossbar"
    out.mkdir(parents=True, exist_ok=True)
    print(write_example_files(out))
