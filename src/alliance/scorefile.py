"""Scoring a CSV or Parquet file of responses (``alliance score ID --input --output``).

The input is read in chunks and scored with ``score_frame``; the output holds
every input column unchanged plus the score, band and flag columns.  It is
written to a temporary file beside the target and moved into place only when
every row has been scored, so a bad cell leaves no output file behind.  On a
terminal a progress bar shows how much of the input has been read.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from tqdm import tqdm

from alliance.measures import Instrument, RowError, ScoringError, score_frame

CHUNK_ROWS = 100_000
FORMATS = {".csv": "csv", ".parquet": "parquet", ".pq": "parquet"}


def file_format(path: Path, role: str) -> str:
    try:
        return FORMATS[path.suffix.lower()]
    except KeyError:
        raise ScoringError(
            f"{role} file {path.name}: unknown extension {path.suffix!r}; "
            f"expected one of {', '.join(FORMATS)}"
        ) from None


def read_chunks(path: Path, fmt: str, progress: tqdm) -> Iterator[pd.DataFrame]:  # type: ignore[type-arg]
    if fmt == "csv":
        with path.open("rb") as handle:
            try:
                for chunk in pd.read_csv(handle, chunksize=CHUNK_ROWS):
                    progress.update(handle.tell() - progress.n)
                    yield chunk
            except (pd.errors.ParserError, UnicodeDecodeError) as exc:
                raise ScoringError(f"input file {path.name}: malformed CSV ({exc})") from None
            except pd.errors.EmptyDataError:
                raise ScoringError(
                    f"input file {path.name}: empty, expected a header row"
                ) from None
        return
    for batch in open_parquet(path).iter_batches(batch_size=CHUNK_ROWS):
        progress.update(batch.num_rows)
        yield batch.to_pandas()


def open_parquet(path: Path) -> pq.ParquetFile:
    try:
        return pq.ParquetFile(path)
    except (pa.ArrowException, OSError) as exc:
        raise ScoringError(f"input file {path.name}: not a readable Parquet file ({exc})") from None


def parse_text_cells(instrument: Instrument, chunk: pd.DataFrame, offset: int) -> pd.DataFrame:
    """CSV columns holding any non-numeric cell arrive as text: parse the numbers in them
    and refuse the first cell that is not a number (naming its row and item)."""
    for item_id in instrument.item_ids:
        if item_id in chunk.columns and not pd.api.types.is_numeric_dtype(chunk[item_id]):
            cells = chunk[item_id]
            numbers = pd.to_numeric(cells, errors="coerce")
            bad = numbers.isna() & cells.notna()
            if bad.any():
                pos = int(bad.to_numpy().nonzero()[0][0])
                raise RowError(
                    instrument.id,
                    offset + pos,
                    item_id,
                    f"{cells.iloc[pos]!r} is not a number; expected "
                    f"{instrument.response_set_of(item_id).describe_allowed()} "
                    "(or empty for unanswered)",
                )
            chunk[item_id] = numbers
    return chunk


def score_file(instrument: Instrument, source: Path, target: Path) -> int:
    """Score ``source`` into ``target``; return the number of rows scored."""
    in_fmt = file_format(source, "input")
    out_fmt = file_format(target, "output")
    if not source.exists():
        raise ScoringError(f"input file {source} does not exist")
    total = source.stat().st_size if in_fmt == "csv" else open_parquet(source).metadata.num_rows
    tmp = target.with_name(f".{target.name}.partial")
    progress = tqdm(
        total=total,
        unit="B" if in_fmt == "csv" else " rows",
        unit_scale=True,
        disable=not sys.stderr.isatty(),
        desc=f"scoring {instrument.id}",
    )
    rows = 0
    try:
        with progress:
            parts = []
            for raw_chunk in read_chunks(source, in_fmt, progress):
                chunk = parse_text_cells(instrument, raw_chunk, rows)
                try:
                    scored = score_frame(instrument, chunk)
                except RowError as exc:
                    raise exc.shifted(rows) from None
                clashes = [c for c in scored.columns if c in chunk.columns]
                if clashes:
                    raise ScoringError(
                        f"input file {source.name}: columns {clashes} would be overwritten by "
                        "scores; rename them"
                    )
                out = pd.concat([chunk, scored], axis=1)
                if out_fmt == "csv":
                    out.to_csv(tmp, mode="w" if rows == 0 else "a", header=rows == 0, index=False)
                else:
                    parts.append(out)
                rows += len(chunk)
            if out_fmt == "parquet":
                frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
                frame.to_parquet(tmp, index=False)
            elif rows == 0:
                raise ScoringError(f"input file {source.name}: no rows to score")
        tmp.replace(target)
    finally:
        with contextlib.suppress(FileNotFoundError):
            tmp.unlink()
    return rows
