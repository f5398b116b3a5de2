"""``memcompact check``: validate I-t CSV files and model cards."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from memcompact.io import load_card, read_it_csv

NAME = "check"
HELP = "validate I-t CSV files (time_s [s], current_A [A], voltage_V [V]) and JSON model cards"
DESCRIPTION = (
    "Read each file with the same validation the fitter and simulator use and print a "
    "one-line summary. Exit 2 on the first bad file, naming the file, line and problem."
)


def add_arguments(parser):
    parser.add_argument("files", nargs="+", metavar="FILE", help="I-t CSV (.csv) or model card (.json)")


def run(args):
    for name in args.files:
        path = Path(name)
        if path.suffix.lower() == ".json":
            card = load_card(path)
            print(f"{path}: card model={card['model']} version={card['version']} "
                  f"params={len(card['params'])}")
        else:
            curve = read_it_csv(path)
            i_abs = np.abs(curve.current_A)
            v = curve.voltage_V
            vtext = f"{v[0]:g} V" if curve.is_constant_voltage else f"{v.min():g}..{v.max():g} V"
            print(f"{path}: I-t rows={len(curve)} t=[{curve.time_s[0]:g}, {curve.time_s[-1]:g}] s "
                  f"|I|max={i_abs.max():.3g} A voltage={vtext}")
    return 0
