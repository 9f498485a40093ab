"""``alliance alerts``: explained alerts for every client in a history file.

    alliance alerts --input HISTORY.csv [--etr-model MODEL.json ...] [--format json|text]

The file has ``client_id,session,instrument,respondent,scale,score`` and optionally
``attended`` and ``flags`` (see :mod:`alliance.feedback.alerts`).  ``--etr-model`` adds
not-on-track alerts from a model saved by ``alliance etr fit`` (repeat it for several
outcome measures).  JSON output: ``{"alerts": [{"client_id", "session", "kind",
"instrument", "scale", "severity", "explanation", "suggestions"}]}``.  A bad file exits with
status 2 and one line naming the row and column; nothing is printed on stdout then.
"""

from __future__ import annotations

import argparse
import json


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "alerts",
        help="explained alerts (alliance, outcome, risk, drop-out) for each client's history",
        description="Explained alerts for every client in a history file.",
    )
    p.add_argument(
        "--input",
        required=True,
        metavar="HISTORY",
        help="CSV or Parquet: client_id,session,instrument,respondent,scale,score"
        "[,attended][,flags]",
    )
    p.add_argument(
        "--etr-model",
        action="append",
        default=[],
        metavar="MODEL",
        help="a model saved by `alliance etr fit`, for not-on-track alerts (repeatable)",
    )
    p.add_argument("--format", choices=["json", "text"], default="json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    # Imported here so that `alliance` starts without the statistics stack.
    from alliance.feedback.alerts import alerts_for_frame, read_history
    from alliance.feedback.etr import load_model

    models = [load_model(path) for path in args.etr_model]
    alerts = alerts_for_frame(read_history(args.input), etr_models=models, validate=False)
    if args.format == "json":
        print(json.dumps({"alerts": [a.to_json_dict() for a in alerts]}, ensure_ascii=False))
        return
    for a in alerts:
        where = f" {a.instrument}/{a.scale}" if a.instrument else ""
        print(f"{a.client_id} session {a.session} [{a.severity}] {a.kind}{where}: {a.explanation}")
