"""``alliance sudden-gains``: sudden gains (or losses) in a long CSV/Parquet table.

    alliance sudden-gains --input FILE.csv --id-col ID --session-col S --score-col X
        [--cutoff C] [--losses] [--instrument ID] [--better lower|higher] --format json

prints ``{"events": [{"id", "pregain_session", "postgain_session", "magnitude",
"reversal"}]}``, one event per sudden gain (Tang & DeRubeis 1999 with the missing-data rule of
Lutz et al. 2013; see :mod:`alliance.feedback.sudden_gains`), using every session present in
the file as the occasions.  Bad input raises FeedbackError (exit status 2, naming row and
column) before anything is printed.
"""

from __future__ import annotations

import argparse
import json
import math
from typing import Any

from alliance.feedback.errors import FeedbackError
from alliance.feedback.io import read_table


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "sudden-gains",
        help="sudden gains or losses in a long table (one row per client and session)",
        description=(
            "Sudden gains or losses (Tang & DeRubeis 1999, missing-data rule of Lutz et al. "
            "2013) in a long table; every session present in the file is an occasion."
        ),
    )
    p.add_argument("--input", required=True, metavar="FILE", help="CSV or Parquet, long format")
    p.add_argument("--id-col", required=True, metavar="ID", help="client id column")
    p.add_argument("--session-col", required=True, metavar="S", help="session number column")
    p.add_argument("--score-col", required=True, metavar="X", help="score column")
    p.add_argument(
        "--cutoff",
        metavar="C",
        help="criterion 1: minimum change (default: the instrument's reliable change, else 7)",
    )
    p.add_argument("--losses", action="store_true", help="find sudden losses instead of gains")
    p.add_argument(
        "--instrument", metavar="ID", help="take the cutoff and direction from this instrument"
    )
    p.add_argument(
        "--better",
        choices=["lower", "higher"],
        help="which direction is improvement (default: the instrument's, else lower)",
    )
    p.add_argument("--format", choices=["json"], default="json")
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> None:
    from alliance.feedback.sudden_gains import sudden_gains  # SciPy only when the command runs

    cutoff = _parse_cutoff(args.cutoff)
    table = read_table(
        args.input,
        {args.id_col: "text", args.session_col: "integer", args.score_col: "number"},
    )
    events = sudden_gains(
        table,
        args.id_col,
        args.session_col,
        args.score_col,
        cutoff=cutoff,
        losses=args.losses,
        better=args.better,
        instrument=args.instrument,
    )
    columns = zip(
        events["id"].astype(str).tolist(),
        events["pregain_session"].tolist(),
        events["postgain_session"].tolist(),
        events["magnitude"].tolist(),
        events["reversal"].tolist(),
        strict=True,
    )
    rows: list[dict[str, Any]] = [
        {
            "id": client,
            "pregain_session": int(pre),
            "postgain_session": int(post),
            "magnitude": float(magnitude),
            "reversal": bool(reversal),
        }
        for client, pre, post, magnitude, reversal in columns
    ]
    print(json.dumps({"events": rows}))


def _parse_cutoff(text: str | None) -> float | None:
    if text is None:
        return None
    try:
        value = float(text)
    except ValueError:
        raise FeedbackError(f"--cutoff: {text!r} is not a number") from None
    if not math.isfinite(value) or value <= 0:
        raise FeedbackError(f"--cutoff: {text!r}; expected a positive number")
    return value
