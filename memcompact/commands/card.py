"""``memcompact card``: write a named preset as a model card."""

from __future__ import annotations

from memcompact.model.cards import PRESETS, preset_card, save_model_card

NAME = "card"
HELP = "write a preset (ag_sio2, cu_sio2) as a JSON model card"
DESCRIPTION = ("Write the parameters of a named preset as a model card (JSON) that simulate, fit, export "
               "and crossbar accept with --card. Presets: "
               + "; ".join(f"{k}: {v['description']}" for k, v in PRESETS.items()))


def add_arguments(parser):
    parser.add_argument("preset", choices=sorted(PRESETS), help="preset name")
    parser.add_argument("-o", "--output", required=True, metavar="CARD.json", help="card file to write")


def run(args):
    save_model_card(args.output, preset_card(args.preset))
    print(f"wrote {args.output} ({args.preset})")
    return 0
