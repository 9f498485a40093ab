"""A research project's de-identified export, shared by the web download and ``alliance
export``.

Files (``<ext>`` = csv, parquet or sav):

- ``long.<ext>`` and ``wide.<ext>``: ``alliance.research.datasets.long_format`` /
  ``wide_format`` of the project's scores (``alliance.practice.studies.rows``) with the
  organisation's key and the project's name: pids are keyed pseudonyms, dates become days
  since intake, every other column is dropped.
- ``episodes.<ext>``: one row per episode in the long table, ``EPISODE_COLUMNS``: ``pid`` and
  ``episode`` as in the long table, ``practitioner`` (keyed pseudonym of the client's first
  assigned practitioner for the project string ``"<project>:practitioner"``, empty when the
  client has none), ``kind`` (therapy or coaching), ``ending_reason`` (planned, dropped_out or
  referred_on; empty while the episode is ongoing, or when it ended without a recorded reason)
  and ``sessions_attended`` (sessions of the episode marked attended, also outside the period).
- ``codebook.csv`` / ``codebook.json``: ``build_codebook(long)`` plus one row for each column
  of the episodes table that the long table does not have (``in_long`` and ``in_wide`` false).
- ``README.txt``: what the files are.

No names, codes, contact details, free text or real dates are read into these frames (see
``rows``), and ``keep_allowed_columns`` keeps only the listed columns of the episodes table.
"""

from __future__ import annotations

import io
import zipfile
from dataclasses import dataclass
from datetime import date
from pathlib import Path

import numpy as np
import pandas as pd

from alliance.practice.studies.models import ResearchProject, organisation_key
from alliance.practice.studies.rows import ProjectRows, project_rows
from alliance.research.codebook import CODEBOOK_COLUMNS, build_codebook
from alliance.research.datasets import (
    FORMATS,
    long_format,
    wide_format,
    write_dataset,
    write_table,
)
from alliance.research.deidentify import keep_allowed_columns, pseudonyms
from alliance.research.errors import ResearchError

EPISODE_COLUMNS = ("pid", "episode", "practitioner", "kind", "ending_reason", "sessions_attended")
EPISODE_VARIABLES = (
    (
        "practitioner",
        "Episodes table: practitioner pseudonym for this project (keyed hash of the client's "
        "first assigned practitioner; not reversible; empty when none)",
        "string",
    ),
    ("kind", "Episodes table: kind of work: therapy or coaching", "string"),
    (
        "ending_reason",
        "Episodes table: how the episode ended: planned, dropped_out or referred_on; empty "
        "while it is ongoing or when no reason was recorded",
        "string",
    ),
    (
        "sessions_attended",
        "Episodes table: number of the episode's sessions marked attended",
        "integer",
    ),
)
README = """\
De-identified research export of the Alliance project "{name}" ({fmt} files).

long.{fmt}      one row per scored scale: pid, episode, session, days_since_intake,
                modality, respondent, instrument, scale, score
wide.{fmt}      one row per pid x episode x session, one column per scale
episodes.{fmt}  one row per episode: pid, episode, practitioner, kind, ending_reason,
                sessions_attended
codebook.csv    every variable of these tables: label, type, range, direction, value
codebook.json   labels, instrument, citation and licence (the same, as JSON)

pid and practitioner are keyed pseudonyms (HMAC-SHA256 with the organisation's secret key
and this project's name): stable across exports of this project, not reversible and not
linkable to other projects without the key, which stays in the practice's database.
Dates are replaced by days since the episode's intake; names, codes, contact details and
free text are not exported. Only clients who consented to research use are included.
"""


@dataclass(frozen=True)
class ProjectDataset:
    """The de-identified tables of one export and how much they hold."""

    long: pd.DataFrame
    wide: pd.DataFrame
    episodes: pd.DataFrame
    codebook: pd.DataFrame
    n_clients: int
    n_episodes: int
    n_responses: int


def check_format(fmt: str) -> str:
    if fmt not in FORMATS:
        raise ResearchError(f"format: {fmt!r}; expected one of {', '.join(FORMATS)}")
    return fmt


def episode_table(rows: ProjectRows, key: bytes, project: str) -> pd.DataFrame:
    """``EPISODE_COLUMNS`` for the episodes of ``rows``, numbered per client by intake then
    id, as ``long_format`` numbers them."""
    episodes = rows.episodes.merge(
        rows.scores.groupby("episode", as_index=False)["intake"].min(), on="episode"
    )
    episodes = episodes.sort_values(["client", "intake", "episode"], kind="stable")
    episodes["number"] = episodes.groupby("client", sort=False).cumcount() + 1
    practitioner = pd.Series("", index=episodes.index, dtype=object)
    known = episodes["practitioner"].notna()
    if known.any():
        ids = episodes.loc[known, "practitioner"].astype(np.int64)
        practitioner[known] = pseudonyms(key, f"{project}:practitioner", ids).to_numpy()
    ended = episodes["ended"].notna()
    table = pd.DataFrame(
        {
            "pid": pseudonyms(key, project, episodes["client"]).to_numpy(),
            "episode": episodes["number"].to_numpy(dtype=np.int64),
            "practitioner": practitioner.to_numpy(dtype=object),
            "kind": episodes["kind"].to_numpy(dtype=object),
            "ending_reason": np.where(ended, episodes["ending_reason"].fillna(""), ""),
            "sessions_attended": episodes["sessions_attended"].to_numpy(dtype=np.int64),
        }
    )
    for column in ("pid", "practitioner", "kind", "ending_reason"):
        table[column] = table[column].astype("str")
    table = keep_allowed_columns(table, EPISODE_COLUMNS)
    return table.sort_values(["pid", "episode"], kind="stable").reset_index(drop=True)


def project_codebook(long: pd.DataFrame) -> pd.DataFrame:
    """``build_codebook(long)`` with rows for the episodes table's own columns."""
    book = build_codebook(long)
    extra = pd.DataFrame(
        [
            {"variable": name, "label": label, "in_long": False, "in_wide": False, "type": kind}
            for name, label, kind in EPISODE_VARIABLES
        ]
    ).reindex(columns=list(CODEBOOK_COLUMNS))
    out = pd.concat([book, extra.astype(book.dtypes.to_dict())], ignore_index=True)
    return out


def build_dataset(project: ResearchProject, on: date | None = None) -> ProjectDataset:
    """The project's de-identified tables as of ``on`` (default today)."""
    rows = project_rows(project, on)
    key = organisation_key(project.organisation)
    long = long_format(rows.scores.drop(columns="response"), key=key, project=project.name)
    return ProjectDataset(
        long=long,
        wide=wide_format(long),
        episodes=episode_table(rows, key, project.name),
        codebook=project_codebook(long),
        n_clients=rows.n_clients,
        n_episodes=rows.n_episodes,
        n_responses=rows.n_responses,
    )


def write_export(
    dataset: ProjectDataset, project: ResearchProject, directory: Path | str, fmt: str
) -> dict[str, Path]:
    """Write the dataset's files into ``directory``; returns their paths by role (``long``,
    ``wide``, ``episodes``, ``codebook``, ``codebook_json``, ``readme``)."""
    fmt = check_format(fmt)
    folder = Path(directory)
    paths = write_dataset(dataset.long, dataset.wide, dataset.codebook, folder, fmt)
    paths["episodes"] = write_table(
        dataset.episodes, folder / f"episodes.{fmt}", fmt, dataset.codebook
    )
    paths["readme"] = folder / "README.txt"
    paths["readme"].write_text(README.format(name=project.name, fmt=fmt), encoding="utf-8")
    return paths


ZIP_TIME = (1980, 1, 1, 0, 0, 0)  # entries carry no real date (the zip format's earliest)


def zip_files(paths: dict[str, Path], folder: str) -> bytes:
    """The files in one zip archive under ``folder/``, with a fixed entry time."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for path in sorted(set(paths.values())):
            info = zipfile.ZipInfo(f"{folder}/{path.name}", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, path.read_bytes())
    return buffer.getvalue()


def record_export(
    project: ResearchProject, dataset: ProjectDataset, fmt: str, via: str, user: object = None
) -> None:
    """Add the export to the project's audit trail (who, when, format, how many clients)."""
    from alliance.practice.studies.models import ProjectExport

    ProjectExport.objects.create(
        project=project,
        exported_by=user,
        via=via,
        format=fmt,
        clients=dataset.n_clients,
        responses=dataset.n_responses,
    )
