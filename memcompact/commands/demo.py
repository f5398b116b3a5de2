"""``memcompact demo``: the whole pipeline on the built-in Ag/SiO2 default (``make demo``)."""

from __future__ import annotations

NAME = "demo"
HELP = "run the whole pipeline: chain -> condense -> fit -> export (Verilog-A, ngspice, Python) -> crossbar"
DESCRIPTION = (
    "On the built-in Ag/SiO2 default: cluster-chain simulations at 4 voltages x 5 seeds condensed into a "
    "compact card (median formation time and its slope per volt kept), a small-reservoir and a strongly "
    "heated chain condensed into card variants (drop with refill, ECM jump), an lmfit fit of the condensed "
    "card to the chain I-t curves, export to Verilog-A (compiled with openvaf-r and run in ngspice against "
    "Python), ngspice subcircuit and standalone Python, then an 8x8 crossbar program/read in ngspice with "
    "the condensed and fitted card (write voltage and pulse chosen from the card). Writes every stage's "
    "files, overview.png, summary.json and summary.txt into OUT and prints the summary table. "
    "--quick is the CI setting (20 nm film, 3 seeds per variant, 4x4 array)."
)


def add_arguments(parser):
    parser.add_argument("-o", "--output", default="out/demo", metavar="DIR", help="output folder")
    parser.add_argument("--quick", action="store_true", help="small setting (CI): 20 nm film, fewer variant seeds, 4x4 array")
    parser.add_argument("--no-progress", action="store_true", help="do not show progress")


def run(args):
    from memcompact.demo import run_demo

    _, table = run_demo(args.output, quick=args.quick, progress=not args.no_progress)
    print(table)
    return 0
