"""``alliance outcomes``: NHS Talking Therapies outcomes of PHQ-9 + GAD-7 episodes.

The input (CSV or Parquet) has one row per client, session and instrument: columns
``client_id``, ``session`` (a whole number), ``instrument`` (``phq9`` or ``gad7``) and
``score`` (empty = not scored), plus optionally ``attended`` (true/false, yes/no, 1/0 or
empty = unknown).  See ``alliance.feedback.talking_therapies`` for the definitions.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from alliance.feedback.io import ColumnKind, convert_column, read_table
from alliance.feedback.talking_therapies import TalkingTherapiesResult, talking_therapies_outcomes

COLUMNS: dict[str, ColumnKind] = {
    "client_id": "text",
    "session": "integer",
    "instrument": "text",
    "score": "number",
}


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "outcomes",
        help="NHS Talking Therapies recovery, reliable improvement and deterioration",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, metavar="FILE", help="CSV or Parquet")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_outcomes)


def cmd_outcomes(args: argparse.Namespace) -> None:
    path = Path(args.input)
    frame = read_table(path, COLUMNS)
    attended_col = None
    if "attended" in frame.columns:
        attended_col = "attended"
        cells = frame["attended"].astype(object)
        cells = cells.where(cells.notna(), "").astype(str)
        frame["attended"] = convert_column(path.name, "attended", cells, "boolean")
    result = talking_therapies_outcomes(frame, attended_col=attended_col, source=path.name)
    if args.format == "json":
        print(json.dumps(result.to_json_dict()))
    else:
        print(as_text(result))


def as_text(result: TalkingTherapiesResult) -> str:
    s = result.summary

    def pct(rate: float | None) -> str:
        return "n/a" if rate is None else f"{100 * rate:.1f}%"

    lines = [
        f"clients: {s.clients}; finished treatment (paired): {s.finished}; "
        f"cases at start: {s.cases}",
        f"recovery: {s.recovered} of {s.cases} ({pct(s.recovery_rate)})",
        f"reliable recovery: {s.reliable_recovery} of {s.cases} ({pct(s.reliable_recovery_rate)})",
        f"reliable improvement: {s.reliable_improvement} of {s.finished} "
        f"({pct(s.reliable_improvement_rate)})",
        f"reliable deterioration: {s.reliable_deterioration} of {s.finished} "
        f"({pct(s.reliable_deterioration_rate)})",
    ]
    return "\n".join(lines)
