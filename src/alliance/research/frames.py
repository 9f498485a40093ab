"""Input checks and shared pieces of the research analyses (``multilevel``, ``early``,
``effectiveness``, ``practitioners``): column checks, number and id columns, alpha, the
direction of "better", normal quantiles, and a MixedLM fit with derivative-free refits.

Every check raises ``ResearchError`` naming the argument, column or row (1-based) at fault.
"""

from __future__ import annotations

import warnings
from typing import Any, Literal

import numpy as np
import numpy.typing as npt
import pandas as pd

from .errors import ResearchError

Better = Literal["lower", "higher"]
FloatArray = npt.NDArray[np.float64]


def require_columns(frame: pd.DataFrame, columns: dict[str, str | None]) -> None:
    """``columns`` maps argument names to column names (None: not used); checks they exist and
    differ."""
    if not isinstance(frame, pd.DataFrame):
        raise ResearchError(f"frame: expected a pandas DataFrame; got {type(frame).__name__}")
    used = {arg: col for arg, col in columns.items() if col is not None}
    for arg, col in used.items():
        if col not in frame.columns:
            raise ResearchError(
                f"{arg}: no column {col!r}; the frame has {[str(c) for c in frame.columns]}"
            )
    seen: dict[str, str] = {}
    for arg, col in used.items():
        if col in seen:
            raise ResearchError(f"{seen[col]} and {arg} name the same column {col!r}")
        seen[col] = arg


def require_session_columns(
    frame: pd.DataFrame,
    client_col: str,
    session_col: str,
    alliance_col: str,
    outcome_col: str,
    practitioner_col: str | None = None,
) -> None:
    """``require_columns`` for the session-by-session analyses (client, session, alliance,
    outcome and, when given, practitioner)."""
    require_columns(
        frame,
        {
            "client_col": client_col,
            "session_col": session_col,
            "alliance_col": alliance_col,
            "outcome_col": outcome_col,
            "practitioner_col": practitioner_col,
        },
    )


def numbers(frame: pd.DataFrame, column: str, *, missing: bool = True) -> pd.Series:
    """The column as float64; text that is not a number (or, with ``missing=False``, an empty
    cell) raises ResearchError naming the row (1-based) and column."""
    cells = frame[column]
    if pd.api.types.is_bool_dtype(cells):
        raise ResearchError(f"column {column}: holds true/false values; expected numbers")
    values = pd.to_numeric(cells, errors="coerce").astype("float64")
    text = cells.astype(str).str.strip()
    empty = cells.isna().to_numpy() | (text == "").to_numpy()
    bad = (values.isna().to_numpy() & ~empty) | np.isinf(values.to_numpy())
    if not missing:
        bad |= empty
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        what = "a number" if not missing else "a number or empty"
        raise ResearchError(f"row {row + 1}, column {column}: {cells.iloc[row]!r}; expected {what}")
    return values.set_axis(frame.index)


def ids(frame: pd.DataFrame, column: str) -> pd.Series:
    empty = frame[column].isna().to_numpy()
    if empty.any():
        row = int(np.flatnonzero(empty)[0]) + 1
        raise ResearchError(f"row {row}, column {column}: empty; expected an id")
    return frame[column]


def pre_post(frame: pd.DataFrame, pre_col: str, post_col: str) -> tuple[FloatArray, FloatArray]:
    """The pre and post columns as float arrays (empty cells NaN)."""
    pre = numbers(frame, pre_col).to_numpy(dtype=float)
    post = numbers(frame, post_col).to_numpy(dtype=float)
    return pre, post


def client_sessions(
    frame: pd.DataFrame, client_col: str, session_col: str, values: dict[str, str]
) -> pd.DataFrame:
    """client, session and the named numeric columns, sorted; refuses repeated sessions."""
    out = pd.DataFrame({"client": ids(frame, client_col).to_numpy()})
    out["session"] = numbers(frame, session_col, missing=False).to_numpy()
    for name, column in values.items():
        out[name] = numbers(frame, column).to_numpy()
    repeated = out.duplicated(["client", "session"]).to_numpy()
    if repeated.any():
        row = int(np.flatnonzero(repeated)[0])
        raise ResearchError(
            f"row {row + 1}: client {out['client'].iloc[row]!r} has session "
            f"{out['session'].iloc[row]:g} twice (columns {client_col}, {session_col}); "
            "expected one row per client and session"
        )
    return out.sort_values(["client", "session"], kind="stable").reset_index(drop=True)


def check_alpha(alpha: float) -> None:
    if isinstance(alpha, bool) or not isinstance(alpha, int | float) or not 0 < alpha < 1:
        raise ResearchError(f"alpha: {alpha!r}; expected a number between 0 and 1")


def sign(better: str) -> float:
    """+1 when higher scores are better, -1 when lower are."""
    if better not in ("lower", "higher"):
        raise ResearchError(f"better: {better!r}; expected 'lower' or 'higher'")
    return 1.0 if better == "higher" else -1.0


def z_value(alpha: float) -> float:
    """The two-sided normal quantile ``z_(1 - alpha/2)``."""
    from scipy import stats  # type: ignore[import-untyped]

    return float(stats.norm.ppf(1.0 - alpha / 2.0))


def fit_mixedlm(model: Any, reml: bool) -> tuple[Any, list[str]]:
    """Fit a statsmodels MixedLM with its default gradient optimizers; when they do not converge
    (or give a non-finite likelihood), refit with Nelder-Mead and Powell and keep the converged
    fit with the highest likelihood.  Returns the fit and the warnings raised on the way."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fits = [model.fit(reml=reml)]
        if not (fits[0].converged and np.isfinite(fits[0].llf)):
            for method in ("nm", "powell"):
                try:
                    fits.append(model.fit(reml=reml, method=method, maxiter=5000))
                except (np.linalg.LinAlgError, ValueError):  # pragma: no cover - optimiser
                    continue
    good = [f for f in fits if f.converged and np.isfinite(f.llf)]
    best = max(good, key=lambda f: float(f.llf)) if good else fits[0]
    return best, sorted({str(w.message) for w in caught})
