"""``alliance change``: Jacobson-Truax reliable change and clinical significance of a file.

The input (CSV or Parquet) is long: one row per id and time point.  ``--pre`` and ``--post``
are matched against the time column as numbers when every cell of that column is a number
(so ``--pre 1`` matches ``1`` and ``1.0``), otherwise as text (after trimming spaces, exact
case).  Ids are printed as JSON numbers when every id in the file is a whole number written
without leading zeros, otherwise as strings.
"""

from __future__ import annotations

import argparse
import json
import math
import re
from pathlib import Path

import pandas as pd

from alliance.feedback.change import CATEGORIES, ChangeCriteria, ChangeResult, reliable_change
from alliance.feedback.errors import FeedbackError
from alliance.feedback.io import ColumnKind, read_table

WHOLE_NUMBER = re.compile(r"-?(0|[1-9][0-9]*)")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "change",
        help="reliable change and clinical significance (Jacobson & Truax 1991)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, metavar="FILE", help="CSV or Parquet, long format")
    p.add_argument("--id-col", required=True, metavar="ID", help="column of case ids")
    p.add_argument("--time-col", required=True, metavar="T", help="column of time points")
    p.add_argument("--score-col", required=True, metavar="S", help="column of scores")
    p.add_argument("--pre", required=True, metavar="P", help="time point before")
    p.add_argument("--post", required=True, metavar="Q", help="time point after")
    p.add_argument("--reliability", required=True, type=float, metavar="R")
    p.add_argument("--better", choices=["lower", "higher"], default="lower")
    p.add_argument("--functional-mean", type=float, metavar="M")
    p.add_argument("--functional-sd", type=float, metavar="SD")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_change)


def cmd_change(args: argparse.Namespace) -> None:
    columns = [args.id_col, args.time_col, args.score_col]
    if len(set(columns)) != 3:
        raise FeedbackError(
            f"--id-col, --time-col and --score-col must name three different columns; got {columns}"
        )
    criteria = ChangeCriteria(
        better=args.better,
        reliability=args.reliability,
        functional_mean=args.functional_mean,
        functional_sd=args.functional_sd,
    )
    kinds: dict[str, ColumnKind] = {
        args.id_col: "text",
        args.time_col: "text",
        args.score_col: "number",
    }
    frame = read_table(Path(args.input), kinds)
    times = frame[args.time_col]
    numbers = pd.to_numeric(times, errors="coerce")
    if numbers.notna().all():
        frame[args.time_col] = numbers.astype(float)
        pre: object = time_number(args.pre, "--pre", args.time_col)
        post: object = time_number(args.post, "--post", args.time_col)
    else:
        pre, post = args.pre.strip(), args.post.strip()
    ids = frame[args.id_col]
    if ids.map(lambda v: WHOLE_NUMBER.fullmatch(v) is not None).all():
        frame[args.id_col] = ids.map(int).astype(object)
    result = reliable_change(
        frame,
        id_col=args.id_col,
        time_col=args.time_col,
        score_col=args.score_col,
        pre=pre,
        post=post,
        criteria=criteria,
    )
    if args.format == "json":
        print(json.dumps(result.to_json_dict()))
    else:
        print(as_text(result))


def time_number(text: str, option: str, column: str) -> float:
    try:
        value = float(text)
    except ValueError:
        value = math.nan
    if not math.isfinite(value):
        raise FeedbackError(
            f"{option} {text!r}: column {column} holds numbers, so {option} must be a number"
        )
    return value


def as_text(result: ChangeResult) -> str:
    lines = [
        f"pairs used: {result.n_used}",
        f"S_diff: {result.s_diff:.3f} (reliable change: more than {result.threshold:.2f} points)",
    ]
    if result.cutoff is not None:
        lines.append(f"cut-off {result.cutoff_type}: {result.cutoff:.3f}")
    width = max(len(c) for c in CATEGORIES)
    for category in CATEGORIES:
        n = result.counts[category]
        lines.append(f"  {category:<{width}}  {n:>4}  {100 * n / result.n_used:5.1f}%")
    return "\n".join(lines)
