"""``alliance effectiveness``: pre-post effect size, reliable change and drop-out of a practice,
per practice and per practitioner, and practitioner estimates shrunk toward the practice mean.

The input (CSV or Parquet) has one row per client episode: the first and the last outcome
score (``--pre-col``, ``--post-col``), and optionally the practice, the practitioner, the number
of sessions and either a drop-out flag (true/false, yes/no, 1/0) or an ending reason (an episode
ended for a reason listed in ``--dropout-reason`` counts as a drop-out; an empty reason means
still in care and is left out of the rate).  Reliable change and recovery use the published
criteria of ``--instrument`` (and ``--scale``) or ``--reliable-change`` / ``--reliability``
with ``--better`` and an optional ``--cutoff``.  The practitioner comparison needs at least 3
practitioners with complete pairs (otherwise it is null) and adjusts for the intake score
unless ``--no-intake-adjustment``.  See ``alliance.research.effectiveness`` for the formulas.
"""

from __future__ import annotations

import argparse
import json
import math
from pathlib import Path
from typing import TYPE_CHECKING, Any

from alliance.research.errors import ResearchError

if TYPE_CHECKING:
    import pandas as pd

    from alliance.feedback.change import ChangeCriteria


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "effectiveness",
        help="effect size, reliable change, drop-out and shrunken practitioner comparisons",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--input", required=True, metavar="FILE", help="CSV or Parquet, one row per episode"
    )
    p.add_argument("--client-col", required=True, metavar="C", help="client or episode id")
    p.add_argument("--pre-col", required=True, metavar="PRE", help="first outcome score")
    p.add_argument("--post-col", required=True, metavar="POST", help="last outcome score")
    p.add_argument("--practice-col", metavar="P")
    p.add_argument("--practitioner-col", metavar="T")
    p.add_argument("--sessions-col", metavar="S", help="number of sessions attended")
    dropout = p.add_mutually_exclusive_group()
    dropout.add_argument("--dropped-out-col", metavar="D", help="drop-out flag")
    dropout.add_argument("--ended-reason-col", metavar="R", help="ending reason")
    p.add_argument(
        "--dropout-reason",
        action="append",
        metavar="TEXT",
        help="ending reason meaning drop-out (repeatable; default dropped_out)",
    )
    rule = p.add_mutually_exclusive_group(required=True)
    rule.add_argument("--instrument", metavar="ID", help="use the instrument's published criteria")
    rule.add_argument("--reliable-change", type=float, metavar="X", help="published threshold")
    rule.add_argument("--reliability", type=float, metavar="R", help="Jacobson-Truax reliability")
    p.add_argument("--scale", default="total", metavar="SCALE", help="with --instrument")
    p.add_argument("--better", choices=["lower", "higher"], help="default lower")
    p.add_argument("--cutoff", type=float, metavar="X", help="clinical cut-off")
    p.add_argument("--no-intake-adjustment", action="store_true")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A", help="1 - confidence")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_effectiveness)


def criteria(args: argparse.Namespace) -> ChangeCriteria:
    import dataclasses

    from alliance.feedback.change import ChangeCriteria, criteria_for

    if args.instrument is not None:
        found = criteria_for(args.instrument, args.scale)
        if args.better is not None and args.better != found.better:
            raise ResearchError(
                f"--better {args.better}: {args.instrument} {args.scale} is "
                f"{found.better}-is-better; leave --better out"
            )
        if args.cutoff is not None:
            found = dataclasses.replace(found, cutoff=args.cutoff)
        return found
    return ChangeCriteria(
        better=args.better or "lower",
        reliable_change=args.reliable_change,
        reliability=args.reliability,
        cutoff=args.cutoff,
    )


def cmd_effectiveness(args: argparse.Namespace) -> None:
    from alliance.feedback.io import ColumnKind, read_table
    from alliance.research.effectiveness import effectiveness, practitioner_effects

    rule = criteria(args)
    given = [
        args.client_col,
        args.pre_col,
        args.post_col,
        *(
            c
            for c in (
                args.practice_col,
                args.practitioner_col,
                args.sessions_col,
                args.dropped_out_col,
                args.ended_reason_col,
            )
            if c is not None
        ),
    ]
    if len(set(given)) != len(given):
        raise ResearchError(f"the --*-col options must name different columns; got {given}")
    kinds: dict[str, ColumnKind] = {
        args.client_col: "text",
        args.pre_col: "number",
        args.post_col: "number",
    }
    optional: tuple[tuple[str | None, ColumnKind], ...] = (
        (args.practice_col, "text"),
        (args.practitioner_col, "text"),
        (args.sessions_col, "number"),
        (args.dropped_out_col, "boolean"),
    )
    for column, kind in optional:
        if column is not None:
            kinds[column] = kind
    frame = read_table(Path(args.input), kinds)
    common: dict[str, Any] = {
        "sessions_col": args.sessions_col,
        "dropped_out_col": args.dropped_out_col,
        "ended_reason_col": args.ended_reason_col,
        "dropout_reasons": tuple(args.dropout_reason or ["dropped_out"]),
        "alpha": args.alpha,
    }
    columns = (frame, args.client_col, args.pre_col, args.post_col, rule)
    out: dict[str, Any] = {"overall": records(effectiveness(*columns, **common))[0]}
    if args.practice_col is not None:
        out["practices"] = records(effectiveness(*columns, by=args.practice_col, **common))
    if args.practitioner_col is not None:
        out["practitioners"] = records(effectiveness(*columns, by=args.practitioner_col, **common))
        complete = frame[[args.pre_col, args.post_col]].notna().all(axis=1)
        if frame.loc[complete, args.practitioner_col].nunique() >= 3:
            result = practitioner_effects(
                frame,
                args.practitioner_col,
                args.pre_col,
                args.post_col,
                args.practice_col,
                better=rule.better,
                adjust_for_intake=not args.no_intake_adjustment,
                alpha=args.alpha,
            )
            out["practitioner_effects"] = {
                "tau2": result.tau2,
                "sigma2": result.sigma2,
                "icc": result.icc,
                "n_clients": result.n_clients,
                "n_practitioners": result.n_practitioners,
                "converged": result.converged,
                "table": records(result.table),
            }
        else:
            out["practitioner_effects"] = None
    if args.format == "json":
        print(json.dumps(out))
    else:
        print(as_text(out))


def plain(value: Any) -> Any:
    """numpy scalars to Python, NaN to None (JSON has no NaN)."""
    if hasattr(value, "item"):
        value = value.item()
    if isinstance(value, float) and not math.isfinite(value):
        return None
    return value


def records(table: pd.DataFrame) -> list[dict[str, Any]]:
    return [{str(k): plain(v) for k, v in row.items()} for row in table.to_dict(orient="records")]


def as_text(out: dict[str, Any]) -> str:
    def number(value: Any, digits: int = 2) -> str:
        return "NA" if value is None else f"{value:.{digits}f}"

    o = out["overall"]
    lines = [
        f"clients: {o['n_clients']} ({o['n_complete']} with pre and post)",
        f"d = {number(o['d'])}, g = {number(o['g'])} "
        f"[{number(o['ci_low'])}, {number(o['ci_high'])}]",
        f"reliably improved {number(o['pct_reliably_improved'], 1)}%, recovered "
        f"{number(o['pct_recovered'], 1)}%, reliably deteriorated "
        f"{number(o['pct_reliably_deteriorated'], 1)}%",
        f"drop-out rate {number(o['dropout_rate'], 3)}, mean sessions "
        f"{number(o['mean_sessions'], 1)}",
    ]
    effects = out.get("practitioner_effects")
    if effects:
        lines.append(f"practitioners (shrunken mean change, ICC {effects['icc']:.3f}):")
        for row in effects["table"]:
            lines.append(
                f"  {row['rank']:>3}  {row['practitioner']!s:<16} n={row['n_clients']:<4} "
                f"raw {row['raw_mean_change']:7.2f}  estimate {row['estimate']:7.2f} "
                f"[{row['ci_low']:.2f}, {row['ci_high']:.2f}]"
            )
    return "\n".join(lines)
