"""``memcompact export``: write the compact model for a circuit simulator or as standalone Python."""

from __future__ import annotations

from pathlib import Path

from memcompact.errors import InputError
from memcompact.export import WRITERS, export_text
from memcompact.io import atomic_write_text
from memcompact.model import load_model_card

NAME = "export"
HELP = "write the model for a card as Verilog-A (OSDI), an ngspice subcircuit or standalone Python"
DESCRIPTION = (
    "Write the compact model with a card's parameters baked in as defaults. "
    "verilog-a: a module for openvaf-r -> OSDI -> ngspice >= 42 (terminals: active electrode, "
    "inert electrode; parameters in SI units with their ranges). ngspice: a native subcircuit "
    "(.include it; X1 <active> <inert> memcompact_ecm). python: one module needing only numpy. "
    "A card with a missing, unknown or out-of-range parameter is refused (exit 2) and nothing is "
    "written. Transients must start with `uic` (see docs/export.md)."
)


def add_arguments(parser):
    parser.add_argument("backend", choices=sorted(WRITERS), help="what to write")
    parser.add_argument("--card", default="ag_sio2", metavar="CARD",
                        help="model card JSON, or a preset name (ag_sio2, cu_sio2)")
    parser.add_argument("-o", "--output", required=True, metavar="PATH",
                        help="file to write (.va, .lib or .py), written atomically")
    parser.add_argument("--osdi", action="store_true",
                        help="verilog-a only: also compile PATH to PATH with suffix .osdi (openvaf-r)")


def run(args):
    if args.osdi and args.backend != "verilog-a":
        raise InputError("--osdi applies to the verilog-a backend only")
    card = load_model_card(args.card)
    text = export_text(args.backend, card)
    out = Path(args.output)
    atomic_write_text(out, text)
    print(f"{out}: {args.backend} model for card {args.card} ({len(text.splitlines())} lines)")
    if args.osdi:
        from memcompact.spice import compile_va

        osdi = compile_va(out)
        print(f"{osdi}: compiled with openvaf-r")
    return 0
