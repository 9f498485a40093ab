"""A research project's de-identified dataset from the database: who and what is included,
and the episodes table.

The references: the long and wide tables are ``alliance.research.datasets`` (tested in
tests/research/test_datasets.py); here the inputs are checked against hand-built records, and
pseudonyms against ``alliance.research.deidentify.pseudonym`` called directly.
"""

from datetime import date, timedelta

import pandas as pd

from alliance.practice.care.models import ResearchConsent, Session
from alliance.practice.studies.export import EPISODE_COLUMNS, build_dataset
from alliance.practice.studies.models import ResearchProject, organisation_key
from alliance.research.codebook import LONG_COLUMNS
from alliance.research.deidentify import pseudonym
from tests.practice.studies_support import *  # noqa: F403  (the fixtures)
from tests.practice.studies_support import START, answer, consent, pid

# -- who and what is included -------------------------------------------------------------------


def test_only_clients_with_recorded_consent_are_exported(org, project, practice):
    data = build_dataset(project)
    expected = {pid(org, project, practice[c]) for c in ("C001", "C002")}
    assert set(data.long["pid"]) == expected
    assert data.n_clients == 2 and data.n_episodes == 3
    assert data.n_responses == 2 * (3 + 2 + 2)
    assert len(data.long) == data.n_responses // 2 * 5  # PHQ-9 total + four WAI-SR scales


def test_consent_recorded_after_the_export_day_does_not_count_yet(org, project, practice):
    consent(practice["C002"], day=date(2025, 6, 1))
    before = build_dataset(project, on=date(2025, 5, 31))
    assert set(before.long["pid"]) == {pid(org, project, practice["C001"])}
    assert build_dataset(project, on=date(2025, 6, 1)).n_clients == 2


def test_withdrawn_consent_removes_the_client(org, project, practice):
    consent(practice["C001"], ResearchConsent.NONE, date(2025, 5, 1))
    assert set(build_dataset(project).long["pid"]) == {pid(org, project, practice["C002"])}


def test_only_the_projects_instruments_and_period_are_included(org, project, practice):
    episode = practice["C001"].episodes.get()
    answer(episode, episode.sessions.get(number=1), "gad7", {"total": 9})
    project.period_start, project.period_end = START + timedelta(days=1), date(2025, 8, 31)
    project.save()
    data = build_dataset(project)
    assert set(data.long["instrument"]) == {"phq9", "wai-sr"}
    # C001's first session (3 March) falls before the period; C002's second episode after it
    assert sorted(data.long.drop_duplicates(["pid", "session"])["session"]) == [1, 2, 2, 3]
    assert data.n_episodes == 2 and set(data.episodes["episode"]) == {1}


def test_a_response_without_a_session_counts_at_the_latest_session_before_it(
    org, project, practice
):
    episode = practice["C001"].episodes.get()
    answer(episode, None, "phq9", {"total": 3}, day=START + timedelta(days=9))  # after session 2
    answer(
        episode, None, "wai-sr", {"goal": 9, "task": 9, "bond": 9}, day=START - timedelta(days=2)
    )
    long = build_dataset(project).long.set_index(["pid", "instrument", "scale", "session"])
    c1 = pid(org, project, practice["C001"])
    assert long.loc[(c1, "phq9", "total", 2), "score"] == 3  # the later answer counts
    before = long.loc[(c1, "wai-sr", "goal", 0)]
    assert before["score"] == 9 and before["days_since_intake"] == -2
    assert pd.isna(before["modality"])


def test_a_repeated_answer_at_one_session_counts_once_the_latest(org, project, practice):
    episode = practice["C001"].episodes.get()
    answer(episode, episode.sessions.get(number=1), "phq9", {"total": 1})
    long = build_dataset(project).long
    first = long[(long["pid"] == pid(org, project, practice["C001"])) & (long["session"] == 1)]
    assert first.loc[first["instrument"] == "phq9", "score"].tolist() == [1]


def test_days_since_intake_replace_the_dates(org, project, practice):
    long = build_dataset(project).long
    assert list(long.columns) == list(LONG_COLUMNS)
    assert (long["days_since_intake"] == 7 * (long["session"] - 1)).all()


# -- the episodes table -------------------------------------------------------------------------


def test_the_episodes_table_matches_the_long_table(org, project, practice, owner, colleague):
    data = build_dataset(project)
    episodes = data.episodes
    assert tuple(episodes.columns) == EPISODE_COLUMNS
    pairs = set(data.long[["pid", "episode"]].itertuples(index=False, name=None))
    assert set(episodes[["pid", "episode"]].itertuples(index=False, name=None)) == pairs
    key = organisation_key(org)
    rows = episodes.set_index(["pid", "episode"])
    c1, c2 = (pid(org, project, practice[c]) for c in ("C001", "C002"))
    practitioner = pseudonym(key, "alliance-outcome:practitioner", owner.pk)
    assert rows.loc[(c1, 1)].to_dict() == {
        "practitioner": practitioner,
        "kind": "therapy",
        "ending_reason": "planned",
        "sessions_attended": 3,
    }
    assert rows.loc[(c2, 1), "ending_reason"] == ""  # ongoing
    assert rows.loc[(c2, 2), "kind"] == "coaching"  # numbered by intake
    assert rows.loc[(c2, 2), "practitioner"] == pseudonym(
        key, "alliance-outcome:practitioner", colleague.pk
    )
    assert practitioner != pseudonym(key, "alliance-outcome", owner.pk)


def test_sessions_attended_leave_out_missed_and_cancelled_sessions(org, project, practice):
    episode = practice["C001"].episodes.get()
    episode.sessions.filter(number=2).update(status=Session.Status.DID_NOT_ATTEND)
    Session.objects.create(episode=episode, number=4, date=date(2025, 3, 24), status="cancelled")
    rows = build_dataset(project).episodes.set_index("pid")
    assert rows.loc[pid(org, project, practice["C001"]), "sessions_attended"] == 2


def test_the_codebook_documents_the_episode_columns(project, practice):
    book = build_dataset(project).codebook.set_index("variable")
    for column in EPISODE_COLUMNS:
        assert book.loc[column, "label"], column
    assert book.loc["ending_reason", "label"].startswith("Episodes table:")
    assert not book.loc["sessions_attended", "in_long"]
    assert not book.loc["sessions_attended", "in_wide"]


def test_pseudonyms_are_stable_across_exports_and_differ_between_projects(org, project, practice):
    first = build_dataset(project)
    pd.testing.assert_frame_equal(build_dataset(project).long, first.long)
    other = ResearchProject.objects.create(
        organisation=org, name="second-study", title="Second", instruments=["phq9"]
    )
    again = build_dataset(other)
    assert set(again.long["pid"]).isdisjoint(first.long["pid"])
    assert set(again.episodes["practitioner"]).isdisjoint(first.episodes["practitioner"])
