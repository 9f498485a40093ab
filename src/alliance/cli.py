"""The ``alliance`` command.

Every input error (a ``ValueError`` from the core, a malformed file, a bad
argument) ends with exit status 2 and one line on stderr.
"""

from __future__ import annotations

import argparse
import importlib
import json
import math
import pkgutil
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from alliance.feedback.errors import FeedbackError
from alliance.measures import (
    MeasureError,
    all_instruments,
    get_instrument,
    install_text,
    score,
)
from alliance.practice.commands import CommandError, add_web_commands
from alliance.research.errors import ResearchError
from alliance.scorefile import score_file

EXIT_USAGE = 2


class CliError(ValueError):
    """A bad command-line argument (exit status 2)."""


def parse_number(text: str, what: str) -> float | None:
    """'NA' (or empty) is missing; otherwise an integer or a decimal number."""
    if text.strip().upper() in {"NA", ""}:
        return None
    try:
        value = float(text)
    except ValueError:
        raise CliError(f"{what}: {text!r} is not a number or NA") from None
    if math.isnan(value) or math.isinf(value):
        raise CliError(f"{what}: {text!r} is not a finite number")
    return int(value) if value.is_integer() and "." not in text else value


def cmd_instruments_list(args: argparse.Namespace) -> None:
    rows = [
        {
            "id": inst.id,
            "title": inst.title,
            "licence": inst.licence,
            "respondent": inst.respondent,
            "kind": inst.kind,
            "items": len(inst.items),
            "scales": [s.id for s in inst.scales],
        }
        for inst in all_instruments()
    ]
    if args.format == "json":
        print(json.dumps(rows, indent=2))
        return
    width = max(len(r["id"]) for r in rows)  # type: ignore[arg-type]
    for r in rows:
        print(
            f"{r['id']:<{width}}  {r['items']:>2} items  {r['respondent']:<12} "
            f"{r['licence']:<18} {r['title']}"
        )


def cmd_instruments_show(args: argparse.Namespace) -> None:
    inst = get_instrument(args.id)
    data = inst.model_dump(mode="json", by_alias=True, exclude_none=True)
    if args.format == "json":
        print(json.dumps(data, indent=2, ensure_ascii=False))
        return
    print(f"{inst.id}: {inst.title} ({inst.licence}, answered by the {inst.respondent})")
    print(f"  recall period: {inst.recall_period}")
    print(f"  items: {', '.join(inst.item_ids)}")
    for scale in inst.scales:
        print(f"  scale {scale.id}: {scale.aggregation} of {', '.join(scale.items)}")
    print(f"  citation: {inst.citation}")


def cmd_instruments_export_fhir(args: argparse.Namespace) -> None:
    from alliance.measures.fhir import questionnaire

    print(json.dumps(questionnaire(args.id, language=args.language), indent=2, ensure_ascii=False))


def cmd_instruments_install_text(args: argparse.Namespace) -> None:
    target = install_text(args.id, Path(args.file))
    print(f"installed wording for {args.id} at {target}")


def cmd_score(args: argparse.Namespace) -> None:
    inst = get_instrument(args.id)
    if args.input is not None:
        if args.answers is not None:
            raise CliError("give either --answers or --input, not both")
        if args.output is None:
            raise CliError("--input needs --output (a .csv or .parquet file)")
        rows = score_file(inst, Path(args.input), Path(args.output))
        print(f"scored {rows} responses into {args.output}", file=sys.stderr)
        return
    if args.answers is None:
        raise CliError("give --answers A1 A2 ... (in item order, NA for missing) or --input FILE")
    n_items, needed = len(inst.items), inst.required_items
    if not needed <= len(args.answers) <= n_items:
        expected = f"{n_items}" if needed == n_items else f"{needed} to {n_items}"
        raise CliError(
            f"{inst.id}: expected {expected} answers in item order "
            f"({', '.join(inst.item_ids)}); got {len(args.answers)}"
        )
    answers = {
        item_id: parse_number(text, f"{inst.id}: item {item_id}")
        for item_id, text in zip(inst.item_ids, args.answers, strict=False)
    }
    weights = None
    if args.weights is not None:
        if len(args.weights) != len(args.answers):
            raise CliError(
                f"{inst.id}: --weights needs one weight per answer ({len(args.answers)}); "
                f"got {len(args.weights)}"
            )
        parsed = {
            item_id: parse_number(text, f"{inst.id}: weight of {item_id}")
            for item_id, text in zip(inst.item_ids, args.weights, strict=False)
        }
        weights = {k: v for k, v in parsed.items() if v is not None}
    result = score(inst, answers, weights=weights)
    print(json.dumps(result.to_json_dict()))


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="alliance", description=__doc__.splitlines()[0])
    commands = parser.add_subparsers(dest="command", required=True)

    instruments = commands.add_parser("instruments", help="the instrument library")
    inst_cmds = instruments.add_subparsers(dest="instruments_command", required=True)
    p = inst_cmds.add_parser("list", help="list the instruments")
    p.add_argument("--format", choices=["table", "json"], default="table")
    p.set_defaults(func=cmd_instruments_list)
    p = inst_cmds.add_parser("show", help="show one instrument's definition")
    p.add_argument("id")
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_instruments_show)
    p = inst_cmds.add_parser("export-fhir", help="print the FHIR R4 Questionnaire")
    p.add_argument("id")
    p.add_argument("--language", default="en")
    p.set_defaults(func=cmd_instruments_export_fhir)
    p = inst_cmds.add_parser("install-text", help="install a licensed wording pack")
    p.add_argument("id")
    p.add_argument("file")
    p.set_defaults(func=cmd_instruments_install_text)

    p = commands.add_parser("score", help="score answers or a file of responses")
    p.add_argument("id")
    p.add_argument("--answers", nargs="+", metavar="A", help="answers in item order; NA = missing")
    p.add_argument("--weights", nargs="+", metavar="W", help="goal weights (gas only)")
    p.add_argument("--input", metavar="FILE", help="CSV or Parquet, one column per item id")
    p.add_argument("--output", metavar="FILE", help="CSV or Parquet to write")
    p.set_defaults(func=cmd_score)

    add_web_commands(commands)
    import alliance.feedback.cli
    import alliance.research.cli

    for package in (alliance.feedback.cli, alliance.research.cli):
        add_discovered_commands(commands, package)
    return parser


def add_discovered_commands(commands: argparse._SubParsersAction, package: Any) -> None:  # type: ignore[type-arg]
    """Every module of ``package`` registers its own subcommands."""
    for module in sorted(pkgutil.iter_modules(package.__path__), key=lambda m: m.name):
        importlib.import_module(f"{package.__name__}.{module.name}").register(commands)


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        args.func(args)
    except (MeasureError, FeedbackError, ResearchError, CliError, CommandError) as exc:
        print(f"alliance: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    return 0


if __name__ == "__main__":
    sys.exit(main())
