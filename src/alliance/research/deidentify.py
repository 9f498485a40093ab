"""De-identification: keyed pseudonyms, shifted or relative dates, allow-listed columns, checks.

Pseudonyms.  ``pid = "p" + base32(HMAC-SHA256(key, m))[:12]`` (lower case), where ``m``
encodes the purpose ``"pid"``, the project and the client reference, each preceded by its
length in bytes (so ``("ab", "c")`` and ``("a", "bc")`` give different messages).  HMAC is a
pseudo-random function under the key (Bellare, Canetti & Krawczyk 1996; RFC 2104; NIST SP
800-107r1 on truncated HMAC): without the organisation's key a pid can neither be computed
from a client reference nor linked across projects, and with the key it is stable across
exports of the same project.  Twelve base32 characters keep 60 bits: among n clients the
chance that two share a pid is about n^2 / 2^61 (1e-8 for 150,000 clients); the vectorised
function still checks and raises.  Pass a stable project identifier (slug or primary key), not
a display name that may be edited.

Dates.  Either shift every date of a client by the same offset (``date_offset``): a whole
number of days drawn uniformly from [-180, -1] and [1, 180] (``max_days``; zero is excluded so
no client keeps the real dates) by the same keyed hash with the purpose ``"date-offset"``:
stable across exports of the same project, independent across clients and projects, and
intervals within a client are kept.  Or replace dates by days since intake
(``days_since_intake``), which the research datasets use.

Free text.  ``keep_allowed_columns`` keeps the columns of an explicit allow-list and drops all
others: a column added to a query later (a note, a name) stays out of exports unless someone
adds it to the list.  ``find_identifiers`` / ``assert_deidentified`` look for known identifying
values (names, e-mail addresses, phone numbers, dates) in every cell and column name.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import re
from collections.abc import Iterable, Sequence
from typing import Literal

import numpy as np
import pandas as pd

from .errors import ResearchError

PID_LENGTH = 12
MIN_KEY_BYTES = 16
DEFAULT_MAX_DAYS = 180

ClientRef = str | int


class IdentifiableDataError(ResearchError):
    """A frame holds a value that identifies a client (the message never repeats the value)."""


# -- keyed hashes ---------------------------------------------------------------------------


def _check_key(key: bytes) -> None:
    if not isinstance(key, bytes) or len(key) < MIN_KEY_BYTES:
        got = f"{len(key)} bytes" if isinstance(key, bytes) else type(key).__name__
        raise ResearchError(f"key: {got}; expected a secret of at least {MIN_KEY_BYTES} bytes")


def _check_project(project: str) -> bytes:
    if not isinstance(project, str) or not project.strip():
        raise ResearchError(f"project: {project!r}; expected a non-empty project identifier")
    return project.encode("utf-8")


def _ref_bytes(client_ref: object) -> bytes:
    if isinstance(client_ref, bool) or not isinstance(client_ref, str | int | np.integer):
        raise ResearchError(
            f"client reference: {type(client_ref).__name__}; expected a text or whole number"
        )
    text = str(client_ref)
    if not text.strip():
        raise ResearchError("client reference: empty; expected a text or whole number")
    return text.encode("utf-8")


def _digest(key: bytes, purpose: bytes, project: bytes, ref: bytes) -> bytes:
    message = b"".join(len(part).to_bytes(4, "big") + part for part in (purpose, project, ref))
    return hmac.new(key, message, hashlib.sha256).digest()


def _pid(key: bytes, project: bytes, ref: bytes) -> str:
    code = base64.b32encode(_digest(key, b"pid", project, ref)).decode("ascii")
    return "p" + code[:PID_LENGTH].lower()


def _offset(key: bytes, project: bytes, ref: bytes, max_days: int) -> int:
    draw = int.from_bytes(_digest(key, b"date-offset", project, ref)[:8], "big") % (2 * max_days)
    return draw - max_days if draw < max_days else draw - max_days + 1


def _check_max_days(max_days: int) -> None:
    if isinstance(max_days, bool) or not isinstance(max_days, int) or max_days < 1:
        raise ResearchError(f"max_days: {max_days!r}; expected a whole number >= 1")


def pseudonym(key: bytes, project: str, client_ref: ClientRef) -> str:
    """The stable pseudonym of one client in one project: ``p`` + 12 base32 characters.

    ``pid = "p" + lower(base32(HMAC-SHA256(key, len|"pid"|len|project|len|client_ref))[:12])``
    (RFC 2104).  Same key, project and reference give the same pid; a different project or key
    gives an unrelated one.
    """
    _check_key(key)
    return _pid(key, _check_project(project), _ref_bytes(client_ref))


def _unique_refs(client_refs: pd.Series, what: str) -> tuple[np.ndarray, np.ndarray]:
    if client_refs.isna().any():
        row = client_refs.index[np.flatnonzero(client_refs.isna().to_numpy())[0]]
        raise ResearchError(f"{what}: missing client reference at row {row!r}")
    codes, uniques = pd.factorize(client_refs, sort=False)
    return codes, np.asarray(uniques, dtype=object)


def pseudonyms(key: bytes, project: str, client_refs: pd.Series) -> pd.Series:
    """``pseudonym`` for every value of ``client_refs`` (hashing each distinct reference once);
    returns a Series named ``pid`` with the same index.  Raises ResearchError on a missing
    reference or (astronomically unlikely) when two references share a pid."""
    _check_key(key)
    project_bytes = _check_project(project)
    codes, uniques = _unique_refs(client_refs, "pseudonyms")
    pids = np.array([_pid(key, project_bytes, _ref_bytes(r)) for r in uniques], dtype=object)
    if len(set(pids.tolist())) != len(pids):
        raise ResearchError("pseudonyms: two client references share a pid; use a longer pid")
    return pd.Series(pids[codes], index=client_refs.index, name="pid", dtype="str")


def date_offset(
    key: bytes, project: str, client_ref: ClientRef, max_days: int = DEFAULT_MAX_DAYS
) -> int:
    """The client's date shift in days, uniform over [-max_days, -1] and [1, max_days].

    ``u`` = the first 8 bytes of HMAC-SHA256(key, len|"date-offset"|len|project|len|ref) as an
    unsigned integer; ``v = u mod 2 max_days``; offset = ``v - max_days`` if
    ``v < max_days`` else ``v - max_days + 1`` (bias below 2 max_days / 2^64).
    """
    _check_key(key)
    _check_max_days(max_days)
    return _offset(key, _check_project(project), _ref_bytes(client_ref), max_days)


def date_offsets(
    key: bytes, project: str, client_refs: pd.Series, max_days: int = DEFAULT_MAX_DAYS
) -> pd.Series:
    """``date_offset`` for every value of ``client_refs``: an int64 Series of days."""
    _check_key(key)
    _check_max_days(max_days)
    project_bytes = _check_project(project)
    codes, uniques = _unique_refs(client_refs, "date_offsets")
    days = np.array([_offset(key, project_bytes, _ref_bytes(r), max_days) for r in uniques])
    return pd.Series(days[codes].astype(np.int64), index=client_refs.index, name="offset")


# -- dates ----------------------------------------------------------------------------------


def _require(frame: pd.DataFrame, columns: Iterable[str], what: str) -> None:
    lacking = [c for c in columns if c not in frame.columns]
    if lacking:
        raise ResearchError(f"{what}: no column {lacking}; the frame has {list(frame.columns)}")


def as_dates(values: pd.Series, column: str) -> pd.Series:
    """Parse a column of dates (date objects, timestamps or ISO text) to midnight timestamps
    (wall-clock date for time-zone aware values); ResearchError names the first bad row."""
    missing = values.isna()
    if missing.any():
        row = values.index[np.flatnonzero(missing.to_numpy())[0]]
        raise ResearchError(f"column {column}: row {row!r} has no date; every row needs one")
    try:
        parsed = pd.to_datetime(values, format="mixed")
    except (ValueError, TypeError, OverflowError):
        for row, value in values.items():
            try:
                pd.to_datetime(value)
            except (ValueError, TypeError, OverflowError):
                raise ResearchError(
                    f"column {column}: row {row!r}: {value!r} is not a date (expected e.g. "
                    "2024-03-05)"
                ) from None
        raise ResearchError(f"column {column}: mixes dates of different time zones") from None
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_localize(None)
    return parsed.dt.normalize()


def shift_dates(
    frame: pd.DataFrame,
    *,
    key: bytes,
    project: str,
    client: str,
    dates: Sequence[str],
    max_days: int = DEFAULT_MAX_DAYS,
) -> pd.DataFrame:
    """A copy of ``frame`` with every column in ``dates`` moved by the client's
    ``date_offset`` (the same offset for all of a client's dates, so intervals are kept).
    The ``client`` column is left as it is: pseudonymise it separately."""
    _require(frame, [client, *dates], "shift_dates")
    offsets = pd.to_timedelta(date_offsets(key, project, frame[client], max_days), unit="D")
    out = frame.copy()
    for column in dates:
        out[column] = as_dates(frame[column], column) + offsets
    return out


def days_since_intake(
    frame: pd.DataFrame,
    *,
    date: str,
    by: Sequence[str],
    intake: str | None = None,
    name: str = "days_since_intake",
) -> pd.DataFrame:
    """Replace the ``date`` column by whole days since intake and drop the dates.

    days = date - intake, where intake is the ``intake`` column (e.g. the episode's start)
    when given, else the earliest ``date`` within each group of ``by`` (e.g. client and
    episode).  Days before intake are negative.  The ``intake`` column is dropped too; the new
    column ``name`` takes the place of ``date``.
    """
    _require(frame, [date, *by, *([intake] if intake else [])], "days_since_intake")
    if not by:
        raise ResearchError("days_since_intake: by is empty; expected the client column(s)")
    when = as_dates(frame[date], date)
    if intake is not None:
        start = as_dates(frame[intake], intake)
    else:
        start = when.groupby([frame[c] for c in by], sort=False, dropna=False).transform("min")
    days = (when - start).dt.days.astype(np.int64)
    out = frame.drop(columns=[c for c in (intake,) if c is not None and c != date])
    out[date] = days
    return out.rename(columns={date: name})


# -- allow-list -----------------------------------------------------------------------------


def keep_allowed_columns(frame: pd.DataFrame, allowed: Sequence[str]) -> pd.DataFrame:
    """Only the columns named in ``allowed``, in that order; every other column (free text,
    names, contact details, anything added later) is dropped.  An allowed column that the
    frame lacks is an error, so a typo cannot silently empty a variable."""
    if isinstance(allowed, str) or len(set(allowed)) != len(allowed):
        raise ResearchError(f"allowed: {allowed!r}; expected a list of distinct column names")
    _require(frame, allowed, "allowed")
    return frame.loc[:, list(allowed)].copy()


# -- checks ---------------------------------------------------------------------------------

Forbidden = str | dt.date | pd.Timestamp | np.datetime64
Kind = Literal["text", "phone", "date"]
_ALNUM_BEFORE, _ALNUM_AFTER = r"(?<![^\W_])", r"(?![^\W_])"
_DIGIT_BEFORE, _DIGIT_AFTER = r"(?<!\d)", r"(?!\d)"
_PHONE = re.compile(r"^\+?[\d\s\-().]+$")


def _patterns(value: object, index: int) -> tuple[Kind, list[str]]:
    if isinstance(value, np.datetime64):
        value = pd.Timestamp(value)
    if isinstance(value, dt.date):
        day = value.date() if isinstance(value, dt.datetime) else value
        shapes = {f"{day:%Y-%m-%d}", f"{day:%d/%m/%Y}", f"{day:%m/%d/%Y}", f"{day:%d.%m.%Y}"}
        shapes |= {f"{day:%Y%m%d}", f"{day:%d-%m-%Y}"}
        return "date", [_DIGIT_BEFORE + re.escape(f) + _DIGIT_AFTER for f in sorted(shapes)]
    if not isinstance(value, str):
        raise ResearchError(
            f"forbidden value #{index}: a {type(value).__name__}; expected text (a name, e-mail "
            "address or phone number) or a date"
        )
    text = value.strip()
    digits = re.sub(r"\D", "", text)
    if _PHONE.match(text) and len(digits) >= 7:
        sep = r"[\s\-().]*"
        forms = [sep.join(digits)]
        if text.startswith(("+", "00")):  # also the national number: no country code, 0 or not
            digits = digits.removeprefix("00")
            national = [digits[k:] for k in (1, 2, 3) if len(digits) - k >= 7]
            forms += [f"(?:0{sep})?" + sep.join(n) for n in national]
        return "phone", [_DIGIT_BEFORE + f + _DIGIT_AFTER for f in forms]
    if len(text) < 2:
        raise ResearchError(f"forbidden value #{index}: shorter than 2 characters")
    words = r"\s+".join(re.escape(w) for w in text.split())
    return "text", [_ALNUM_BEFORE + words + _ALNUM_AFTER]


def find_identifiers(frame: pd.DataFrame, forbidden: Sequence[Forbidden]) -> pd.DataFrame:
    """Where ``frame`` holds a forbidden value: one row per (column, row, forbidden value).

    Every cell and column name is rendered as text and searched, case-insensitively, for each
    forbidden value: text as whole words (``"Ann"`` hits ``"Ann Lee"``, not ``"Annual"``),
    with any run of spaces between words; a phone number (7+ digits, with or without
    ``+ - ( ) .`` and spaces) with any separators between its digits, and one given with
    ``+`` or ``00`` also without its 1-3 digit country code, with or without a leading 0; a
    date in the forms 2024-03-05, 20240305, 05/03/2024, 03/05/2024, 05.03.2024 and
    05-03-2024.  Distinct values of a column are searched once.  Columns: ``column``,
    ``row`` (index label, or None for the column name), ``forbidden`` (position in
    ``forbidden``), ``kind``.
    """
    compiled = []
    for index, value in enumerate(forbidden):
        kind, patterns = _patterns(value, index)
        compiled.append((index, kind, re.compile("|".join(patterns), re.IGNORECASE)))
    hits: list[tuple[str, object, int, str]] = []
    for position, column in enumerate(frame.columns):
        label = str(column)
        hits.extend((label, None, i, k) for i, k, rx in compiled if rx.search(label))
        codes, uniques = pd.factorize(frame.iloc[:, position], sort=False)
        for u, unique in enumerate(uniques):
            text = str(unique)
            found = [(i, k) for i, k, rx in compiled if rx.search(text)]
            if found:
                rows = frame.index[codes == u]
                hits.extend((label, row, i, k) for row in rows for i, k in found)
    return pd.DataFrame(hits, columns=["column", "row", "forbidden", "kind"], dtype=object).astype(
        {"forbidden": np.int64}
    )


def assert_deidentified(frame: pd.DataFrame, forbidden: Sequence[Forbidden]) -> None:
    """Raise IdentifiableDataError when ``find_identifiers`` finds anything.  The message says
    where (column, row) and which forbidden value by position and kind, never the value."""
    hits = find_identifiers(frame, forbidden)
    if hits.empty:
        return
    first = hits.iloc[0]
    where = "its name" if first["row"] is None else f"row {first['row']!r}"
    raise IdentifiableDataError(
        f"{len(hits)} cell(s) hold identifying values; first: column {first['column']!r}, "
        f"{where}: forbidden value #{first['forbidden']} (a {first['kind']})"
    )
