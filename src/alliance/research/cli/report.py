"""``alliance report``: an HTML or PDF report of a research dataset, with its numbers as JSON.

``--input`` is a folder written by ``alliance export`` (``long.<csv|parquet|sav>``, optionally
``episodes.<ext>`` and ``codebook.csv``) or one long-format ``.csv``, ``.parquet`` or ``.sav``
file.  ``--output`` ends in ``.html`` (one self-contained file: inline CSS and SVG plots) or
``.pdf`` (WeasyPrint).  Beside it, ``<output stem>.json`` holds every number of the report
(``alliance.research.report.report_json``).  Sections: the data; Spearman (or Pearson)
correlations of the alliance variables with the outcome and wellbeing variables (per-client
means by default, ``--pairing session`` for same-session pairs); the session-by-session
multilevel model; the early alliance (``--alliance-session``) with trajectories by tertile;
effectiveness; practitioners compared with shrinkage.  Sections the data cannot support say
why.  Nothing is written unless the whole report succeeds.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import tempfile
from pathlib import Path

from alliance.research.errors import ResearchError

OUTPUT_EXTENSIONS = (".html", ".pdf")


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "report",
        help="HTML or PDF report of a research dataset (tables, plots) and its numbers as JSON",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--input", required=True, metavar="DIR|FILE", help="export folder or long file")
    p.add_argument("--output", required=True, metavar="FILE", help="report.html or report.pdf")
    p.add_argument("--title", metavar="TEXT", help="title of the report")
    p.add_argument("--method", choices=["spearman", "pearson"], default="spearman")
    p.add_argument("--ci", choices=["fisher", "bootstrap"], default="fisher")
    p.add_argument("--seed", type=int, metavar="N", help="seed of the bootstrap resamples")
    p.add_argument("--n-boot", type=int, default=2000, metavar="B", help="bootstrap resamples")
    p.add_argument(
        "--pairing",
        choices=["client-means", "session"],
        default="client-means",
        help="correlate per-client means (default) or same-session scores",
    )
    p.add_argument("--x", metavar="VAR[,VAR...]", help="alliance variables to correlate")
    p.add_argument("--y", metavar="VAR[,VAR...]", help="outcome variables to correlate")
    p.add_argument("--alliance", metavar="VAR", help="alliance variable of the models")
    p.add_argument("--outcome", metavar="VAR", help="outcome variable of the models")
    p.add_argument("--alliance-session", type=int, default=3, metavar="N", help="default 3")
    p.add_argument("--alpha", type=float, default=0.05, metavar="A", help="1 - confidence")
    p.set_defaults(func=cmd_report)


def output_path(text: str) -> Path:
    path = Path(text)
    if path.suffix.lower() not in OUTPUT_EXTENSIONS:
        raise ResearchError(
            f"--output {text}: unknown extension {path.suffix or '(none)'}; expected a file "
            "ending in .html or .pdf"
        )
    if not path.parent.is_dir():
        raise ResearchError(f"--output {text}: folder {path.parent} does not exist")
    return path


def names(text: str | None, option: str) -> list[str] | None:
    if text is None:
        return None
    parts = [part.strip() for part in text.split(",")]
    if any(not part for part in parts):
        raise ResearchError(f"{option} {text!r}: expected variable names separated by commas")
    return parts


def cmd_report(args: argparse.Namespace) -> None:
    target = output_path(args.output)
    from alliance.research.report import (
        DEFAULT_TITLE,
        build_report,
        load_report_input,
        render_html,
        render_pdf,
        report_json,
    )

    report = build_report(
        load_report_input(args.input),
        title=args.title or DEFAULT_TITLE,
        method=args.method,
        ci=args.ci,
        n_boot=args.n_boot,
        seed=args.seed,
        pairing=args.pairing.replace("-", "_"),
        x=names(args.x, "--x"),
        y=names(args.y, "--y"),
        alliance=args.alliance,
        outcome=args.outcome,
        alliance_session=args.alliance_session,
        alpha=args.alpha,
    )
    numbers = json.dumps(report_json(report), indent=2, allow_nan=False) + "\n"
    json_target = target.with_suffix(".json")
    temporary: list[Path] = []
    try:
        report_tmp = _temporary(target, temporary)
        if target.suffix.lower() == ".pdf":
            render_pdf(report, report_tmp)
        else:
            report_tmp.write_text(render_html(report), encoding="utf-8")
        json_tmp = _temporary(json_target, temporary)
        json_tmp.write_text(numbers, encoding="utf-8")
        os.replace(report_tmp, target)
        os.replace(json_tmp, json_target)
        temporary.clear()
    finally:
        for path in temporary:
            path.unlink(missing_ok=True)
    print(f"wrote {target} and {json_target}", file=sys.stderr)


def _temporary(beside: Path, made: list[Path]) -> Path:
    """A new empty file in ``beside``'s folder, recorded in ``made`` for clean-up."""
    handle, name = tempfile.mkstemp(prefix=f".{beside.name}.", dir=beside.parent)
    os.close(handle)
    made.append(Path(name))
    return Path(name)
