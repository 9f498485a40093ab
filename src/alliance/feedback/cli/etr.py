"""``alliance etr``: fit expected treatment response curves and check clients against them.

    alliance etr fit --input REF.csv --instrument ID --output MODEL.json
                     [--scale total] [--percentile 90] [--min-scores-per-session 10]
    alliance etr check --model MODEL.json --input CURRENT.csv [--format json|text]

Both files are long, one row per client and session: ``client_id``, ``session`` (a whole
number, 1 = intake) and ``score`` (empty = no score, e.g. a missed session).  ``fit`` writes
the model (coefficients plus a summary of the data it was fitted on) as JSON; ``check``
reports each client's status at their latest scored session: ``on_track``, ``not_on_track``
(worse than the warning boundary) or ``insufficient_data`` (fewer than two scores).  JSON
output: ``{"clients": [{"client_id", "session", "score", "expected", "boundary", "status",
"intake", "percent_expected_change"}]}``.  See ``alliance.feedback.etr`` for the method.
Bad input exits with status 2 and one line naming the row and column; no model file is
written and nothing is printed on stdout then.
"""

from __future__ import annotations

import argparse
import json
import math
import numbers
import sys
from collections.abc import Hashable, Mapping
from pathlib import Path
from typing import Any

from alliance.feedback.errors import FeedbackError
from alliance.feedback.io import ColumnKind, read_table

COLUMNS: dict[str, ColumnKind] = {
    "client_id": "text",
    "session": "integer",
    "score": "number",
}


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    etr = commands.add_parser(
        "etr",
        help="expected treatment response: fit curves, check clients (not on track)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    sub = etr.add_subparsers(dest="etr_command", required=True)

    p = sub.add_parser("fit", help="fit an ETR model on reference episodes")
    p.add_argument("--input", required=True, metavar="REF", help="CSV or Parquet")
    p.add_argument("--instrument", required=True, metavar="ID", help="outcome instrument id")
    p.add_argument("--scale", default="total", metavar="SCALE")
    p.add_argument("--output", required=True, metavar="MODEL", help="JSON file to write")
    p.add_argument(
        "--percentile",
        type=float,
        default=90.0,
        help="percentile of worse-than-expected progress for the boundary (default 90)",
    )
    p.add_argument("--min-scores-per-session", type=int, default=10, metavar="N")
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser("check", help="status of each client against a fitted model")
    p.add_argument("--model", required=True, metavar="MODEL", help="JSON from `etr fit`")
    p.add_argument("--input", required=True, metavar="CURRENT", help="CSV or Parquet")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_check)


def cmd_fit(args: argparse.Namespace) -> None:
    from alliance.feedback.etr import fit, save_model  # statsmodels: imported when used

    path = Path(args.input)
    frame = read_table(path, COLUMNS)
    model = fit(
        frame,
        args.instrument,
        scale=args.scale,
        percentile=args.percentile,
        min_scores_per_session=args.min_scores_per_session,
        source=path.name,
    )
    output = Path(args.output)
    if not output.parent.is_dir():
        raise FeedbackError(f"--output: folder {output.parent} does not exist")
    save_model(model, output)
    f = model.fitted_on
    print(
        f"fitted {model.instrument} {model.scale} on {f.n_episodes} episodes "
        f"({f.n_scores} scores, sessions {model.first_session}-{model.last_session}) "
        f"into {output}",
        file=sys.stderr,
    )


def _number(value: float) -> float | int | None:
    if math.isnan(value):
        return None
    rounded = round(float(value), 3)
    return int(rounded) if rounded.is_integer() else rounded


def cmd_check(args: argparse.Namespace) -> None:
    from alliance.feedback.etr import load_model, status_frame

    model = load_model(args.model)
    path = Path(args.input)
    frame = read_table(path, COLUMNS)
    table = status_frame(model, frame, source=path.name)
    rows = [_row(record) for record in table.to_dict("records")]
    if args.format == "json":
        print(json.dumps({"clients": rows}, ensure_ascii=False))
        return
    for r in rows:
        if r["status"] == "insufficient_data":
            print(f"{r['client_id']} session {r['session']}: insufficient data")
            continue
        print(
            f"{r['client_id']} session {r['session']}: {r['status']} (score {r['score']}, "
            f"expected {r['expected']}, boundary {r['boundary']})"
        )


def _row(record: Mapping[Hashable, Any]) -> dict[str, object]:
    def num(key: str) -> float | int | None:
        value = record[key]
        return _number(float(value)) if isinstance(value, numbers.Real) else None

    session = record["session"]
    return {
        "client_id": str(record["client_id"]),
        "session": int(float(session)) if isinstance(session, numbers.Real) else None,
        "score": num("score"),
        "expected": num("expected"),
        "boundary": num("boundary"),
        "status": str(record["status"]),
        "intake": num("intake"),
        "percent_expected_change": num("percent_expected_change"),
    }
