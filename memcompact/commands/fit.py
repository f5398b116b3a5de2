"""``memcompact fit``: fit the compact model to measured I-t curves -> card, report, plot."""

from __future__ import annotations

import json
import sys
import warnings
from pathlib import Path

from memcompact.errors import InputError

NAME = "fit"
HELP = ("fit the compact model to I-t CSV files: constant-voltage stress curves, sweeps, pulse trains, any V(t) "
        "(global fit) -> card.json, report.txt, fit.png")
DESCRIPTION = ("Fit the compact model to one or more constant-voltage I-t curves (CSV: time_s [s], current_A [A], "
               "voltage_V [V] column or '# voltage_V:' line). Curves at different voltages share the device "
               "parameters; each curve has its own series resistance [Ohm]. Starting values come from the "
               "events detected in the data (formation, drop, refill, ECM jump). Residuals are on log10|I| "
               "with a noise floor and a robust (soft-L1) loss. Writes OUT/card.json (fitted model card with "
               "stderr, correlations, events), OUT/report.txt (lmfit report plus events) and OUT/fit.png. "
               "A curve whose "
               "voltage_V column varies (I-V sweep, sine, pulse train, any V(t)) is a waveform: the model is driven "
               "by the measured V(t) through the series resistance, scored by asinh(I / 2s) / ln 10 (s: three "
               "noise floors) and by its SET/RESET switching; stress curves and waveforms of one device are "
               "fitted together. --predict OTHER.csv simulates held-out curves with the fitted card and scores "
               "them (report, OUT/summary.json, OUT/predict.png).")


def add_arguments(parser):
    parser.add_argument("data", nargs="+", metavar="DATA.csv",
                        help="I-t CSV files: constant-voltage stress curves and/or waveforms (voltage_V varies)")
    parser.add_argument("--card", help="starting card (JSON file or preset name ag_sio2, cu_sio2): its "
                                       "formation time is calibrated to the data and it competes with the "
                                       "automatic starts built on it (a line says which won); --fix what "
                                       "must stay. Default: ag_sio2 with starting values from the data")
    parser.add_argument("--vary", nargs="+", action="extend", metavar="NAME",
                        help="parameters to fit (default: chosen from the data, see docs/fitting.md); "
                             "'series_resistance_ohm' frees each curve's series resistance")
    parser.add_argument("--fix", nargs="+", action="extend", default=[], metavar="NAME[=VALUE]",
                        help="parameters to hold (at the card's value, or at VALUE in the parameter's unit)")
    parser.add_argument("--noise-floor", type=float, metavar="A", help="noise floor of the log residuals [A] "
                                                                        "(default: estimated per curve)")
    parser.add_argument("--compliance", type=float, metavar="A",
                        help="current compliance of the measurement [A] (default: '# compliance_A:' in the file)")
    parser.add_argument("--series-ohm", type=float, metavar="OHM",
                        help="series resistance of every curve [Ohm] (start value; default: "
                             "'# series_resistance_ohm:' in the file, else 0)")
    parser.add_argument("--max-nfev", type=int, default=60, help="fit budget (residual evaluations)")
    parser.add_argument("--predict", action="append", default=[], metavar="OTHER.csv",
                        help="held-out curve (repeatable): not fitted, simulated with the fitted card and scored "
                             "(RMS, event times, SET/RESET voltages) in the report and OUT/summary.json")
    parser.add_argument("-o", "--output", required=True, metavar="DIR", help="output folder")
    parser.add_argument("--quiet", action="store_true", help="no progress on stderr")


def _parse_fix(items):
    out = {}
    for item in items:
        name, _, value = item.partition("=")
        if value:
            try:
                out[name] = float(value)
            except ValueError:
                raise InputError(f"--fix {item}: value is not a number") from None
        else:
            out[name] = None
    return out


def run(args):
    import numpy as np

    from memcompact.fit import FitWarning, fit_it
    from memcompact.fit.mixed import prepare_any
    from memcompact.io import atomic_write_text
    from memcompact.model.cards import save_model_card

    for name, value in (("--noise-floor", args.noise_floor), ("--compliance", args.compliance),
                        ("--series-ohm", args.series_ohm)):
        if value is not None and not (np.isfinite(value) and value >= 0):
            raise InputError(f"{name} must be a finite number >= 0, got {value}")
    if args.max_nfev < 1:
        raise InputError("--max-nfev must be >= 1")
    fix = _parse_fix(args.fix)
    # read and check every file (fitted and held out) before fitting or writing anything
    data = [prepare_any(path, noise_floor_A=args.noise_floor, compliance_A=args.compliance,
                        series_resistance_ohm=args.series_ohm) for path in args.data]
    held_out = [prepare_any(path, noise_floor_A=args.noise_floor, compliance_A=args.compliance,
                            series_resistance_ohm=args.series_ohm) for path in args.predict]
    card = args.card
    if card is not None:
        from memcompact.model.cards import load_model_card
        card = load_model_card(card)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", FitWarning)
        result = fit_it(data, card=card, vary=args.vary, fix=fix, max_nfev=args.max_nfev, progress=not args.quiet)
    for note in result.warnings:
        print(f"warning: {note}", file=sys.stderr)
    out = Path(args.output)
    save_model_card(out / "card.json", result.card)
    atomic_write_text(out / "report.txt", result.report())
    report = result.report()
    written = ["card.json", "report.txt", "fit.png"]
    summary = {"fitted": [{"file": c["file"], "kind": c.get("kind", "stress"), "rms_decades": c["rms_decades"]}
                          for c in result.card["curves"]], "elapsed_s": round(result.elapsed_s, 3)}
    prediction = None
    if held_out:
        from memcompact.fit.predict import predict_curves, prediction_report_lines
        prediction = predict_curves(result.card, held_out, series_resistance_ohm=args.series_ohm)
        report += "\n[[Predictions]] (held-out curves simulated with the fitted card)\n" + "\n".join(
            prediction_report_lines(prediction)) + "\n"
        summary["predictions"] = prediction.scores
        written += ["predict.png"]
    save_model_card(out / "card.json", result.card)
    atomic_write_text(out / "report.txt", report)
    result.plot(out / "fit.png")
    if prediction is not None:
        prediction.plot(out / "predict.png")
    atomic_write_text(out / "summary.json", json.dumps(summary, indent=1) + "\n")
    written.append("summary.json")
    rms = ", ".join(f"{r:.3f}" for r in result.rms_decades)
    line = (f"wrote {out}/{', '.join(written)}; RMS [decades] (log current; asinh for waveforms): {rms}; "
            f"fitted in {result.elapsed_s:.1f} s")
    if prediction is not None:
        line += "; held-out RMS: " + ", ".join(f"{s['rms_decades']:.3f}" for s in prediction.scores)
    print(line)
    return 0
