"""``alliance correlate``: a correlation matrix between two sets of columns of a file.

Every column of ``--x`` is correlated with every column of ``--y`` (Spearman by default), with
pairwise deletion of missing values (empty cells in CSV, nulls in Parquet).  Per pair: n, r, a
95% confidence interval (Fisher z, for Spearman with the Bonett-Wright standard error, or a
percentile bootstrap with ``--ci bootstrap``), the two-sided p and the Benjamini-Hochberg
adjusted p across the matrix.  ``--seed`` fixes the bootstrap resamples (it is ignored with
``--ci fisher``).  See ``alliance.research.correlations`` for the formulas.
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


def register(commands: argparse._SubParsersAction) -> None:  # type: ignore[type-arg]
    p = commands.add_parser(
        "correlate",
        help="correlation matrix between two sets of columns (Spearman or Pearson)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument(
        "--input", required=True, metavar="FILE", help="CSV or Parquet, one row per case"
    )
    p.add_argument("--x", required=True, metavar="COL[,COL...]", help="first set of columns")
    p.add_argument("--y", required=True, metavar="COL[,COL...]", help="second set of columns")
    p.add_argument("--method", choices=["spearman", "pearson"], default="spearman")
    p.add_argument("--ci", choices=["fisher", "bootstrap"], default="fisher")
    p.add_argument("--seed", type=int, metavar="N", help="seed of the bootstrap resamples")
    p.add_argument(
        "--n-boot", type=int, default=2000, metavar="B", help="bootstrap resamples (2000)"
    )
    p.add_argument("--format", choices=["text", "json"], default="text")
    p.set_defaults(func=cmd_correlate)


def column_names(text: str, option: str) -> list[str]:
    names = [name.strip() for name in text.split(",")]
    if any(not name for name in names):
        raise ResearchError(f"{option} {text!r}: expected column names separated by commas")
    return names


def cmd_correlate(args: argparse.Namespace) -> None:
    from alliance.research.correlations import correlate

    xs, ys = column_names(args.x, "--x"), column_names(args.y, "--y")
    frame = read_numeric(Path(args.input), list(dict.fromkeys([*xs, *ys])))
    result = correlate(
        frame, xs, ys, method=args.method, ci=args.ci, n_boot=args.n_boot, seed=args.seed
    )
    rows: list[dict[str, Any]] = [
        {
            "x": record["x"],
            "y": record["y"],
            "n": int(record["n"]),
            **{key: float(record[key]) for key in ("r", "ci_low", "ci_high", "p", "p_adj")},
        }
        for record in result.to_dict(orient="records")
    ]
    if args.format == "json":
        print(json.dumps({"results": rows}, allow_nan=False))
    else:
        print(as_text(rows, args.method, args.ci))


def read_numeric(path: Path, columns: list[str]) -> pd.DataFrame:
    """The named columns as floats (missing values as NaN); errors name the row and column."""
    import numpy as np
    import pandas as pd

    from alliance.feedback.io import convert_column, read_table

    if path.suffix.lower() not in {".parquet", ".pq"}:
        return read_table(path, dict.fromkeys(columns, "number"))
    try:
        frame = pd.read_parquet(path)
    except FileNotFoundError:
        raise ResearchError(f"{path}: no such file") from None
    except (OSError, ValueError) as exc:
        raise ResearchError(f"{path.name}: not a readable Parquet file ({exc})") from None
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise ResearchError(f"{path.name}: lacks columns {lacking}; it has {list(frame.columns)}")
    out = {}
    for name in columns:
        cells = frame[name]
        if pd.api.types.is_numeric_dtype(cells) and not pd.api.types.is_complex_dtype(cells):
            values = cells.to_numpy(dtype=float, na_value=np.nan)
            infinite = np.flatnonzero(np.isinf(values))
            if infinite.size:
                raise ResearchError(
                    f"{path.name}: row {infinite[0] + 1}, column {name}: {values[infinite[0]]}; "
                    "expected a number or empty"
                )
            out[name] = pd.Series(values)
        else:  # text cells (e.g. a string column): numbers or empty, as in a CSV file
            text = cells.astype(object).where(cells.notna(), "").reset_index(drop=True)
            out[name] = convert_column(path.name, name, text, "number")
    return pd.DataFrame(out)


def as_text(rows: list[dict[str, Any]], method: str, ci: str) -> str:
    width = max(len(str(row[key])) for row in rows for key in ("x", "y"))
    lines = [
        f"{method} correlations, 95% CI by {ci}; p_adj: Benjamini-Hochberg over {len(rows)} pairs",
        f"{'x':<{width}}  {'y':<{width}}  {'n':>6}  {'r':>6}  {'95% CI':>15}  "
        f"{'p':>9}  {'p_adj':>9}",
    ]
    for row in rows:
        interval = f"[{row['ci_low']:.3f}, {row['ci_high']:.3f}]"
        lines.append(
            f"{row['x']:<{width}}  {row['y']:<{width}}  {row['n']:>6}  {row['r']:>6.3f}  "
            f"{interval:>15}  {p_text(row['p']):>9}  {p_text(row['p_adj']):>9}"
        )
    return "\n".join(lines)


def p_text(p: float) -> str:
    return "< 0.001" if p < 0.001 else f"{p:.3f}" if not math.isnan(p) else "NA"
