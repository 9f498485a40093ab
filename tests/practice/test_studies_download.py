"""The files of a project's export in each format, ``alliance export`` and the web
download (a zip), with the audit trail of exports."""

import io
import zipfile

import pandas as pd
import pyreadstat
import pytest
from django.urls import reverse

from alliance.cli import main
from alliance.practice.studies.export import EPISODE_COLUMNS, build_dataset
from alliance.practice.studies.models import ProjectExport, ResearchProject
from tests.practice.conftest import login, make_client
from tests.practice.studies_support import *  # noqa: F403  (the fixtures)
from tests.practice.studies_support import answer, consent

# -- files ----------------------------------------------------------------------------------------


def read_back(folder, fmt):
    if fmt == "csv":
        return {t: pd.read_csv(folder / f"{t}.csv", keep_default_na=False) for t in TABLES}
    if fmt == "parquet":
        return {t: pd.read_parquet(folder / f"{t}.parquet") for t in TABLES}
    return {t: pyreadstat.read_sav(str(folder / f"{t}.sav"))[0] for t in TABLES}


TABLES = ("long", "wide", "episodes")


@pytest.mark.parametrize("fmt", ["csv", "parquet", "sav"])
def test_the_command_writes_every_file_and_prints_the_paths(
    capsys, tmp_path, project, practice, fmt
):
    code = main(
        ["export", "--project", "alliance-outcome", "--format", fmt, "--output", str(tmp_path)]
    )
    out = capsys.readouterr().out.split()
    assert code == 0
    names = [f"long.{fmt}", f"wide.{fmt}", f"episodes.{fmt}", "codebook.csv", "codebook.json"]
    assert out == [str(tmp_path / n) for n in [*names, "README.txt"]]
    tables = read_back(tmp_path, fmt)
    data = build_dataset(project)
    assert len(tables["long"]) == len(data.long) and len(tables["wide"]) == len(data.wide)
    episodes = tables["episodes"]
    assert list(episodes.columns) == list(EPISODE_COLUMNS)
    assert sorted(episodes["ending_reason"]) == ["", "", "planned"]
    assert ProjectExport.objects.get().via == "cli"


BAD_ARGUMENTS = [
    (["--project", "nope", "--format", "csv"], "--project 'nope': no such project; projects: "),
    (["--project", "alliance-outcome", "--format", "xlsx"], "expected one of csv, parquet, sav"),
    (
        ["--project", "alliance-outcome", "--format", "csv", "--organisation", "nowhere"],
        "--organisation 'nowhere': no such organisation; organisations: ",
    ),
]


@pytest.mark.parametrize(("argv", "message"), BAD_ARGUMENTS)
def test_bad_arguments_exit_2_naming_what_exists(capsys, tmp_path, project, argv, message):
    assert main(["export", *argv, "--output", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert message in err
    if "no such project" in message:
        assert "alliance-outcome" in err
    if "nowhere" in message:
        assert "riverside" in err
    assert not any(tmp_path.iterdir())


def test_a_project_name_in_two_organisations_needs_the_organisation(
    capsys, tmp_path, project, other_org
):
    ResearchProject.objects.create(
        organisation=other_org, name="alliance-outcome", title="Theirs", instruments=["phq9"]
    )
    argv = ["export", "--project", "alliance-outcome", "--format", "csv", "--output", str(tmp_path)]
    assert main(argv) == 2
    assert "in several organisations (elsewhere, riverside); add --organisation" in (
        capsys.readouterr().err
    )
    assert main([*argv, "--organisation", "riverside"]) == 0
    assert ProjectExport.objects.get().project == project


@pytest.fixture(autouse=True)
def keep_test_database(monkeypatch):
    """The command calls django.setup(); under pytest Django is already set up."""
    monkeypatch.setattr("alliance.practice.commands.setup_django", lambda data_dir: None)


# -- the web pages --------------------------------------------------------------------------------


def test_the_project_page_counts_what_the_export_includes(client, researcher, project, practice):
    consent(make_client(project.organisation, researcher, "C004", sessions=1))  # no answers
    login(client, researcher)
    page = client.get(reverse("studies:project", args=[project.pk])).content.decode()
    for element, number in [("consented", 3), ("clients", 2), ("episodes", 3), ("responses", 14)]:
        assert f'id="n-{element}">{number}<' in page, element
    assert "<code>wai_sr_bond</code>" in page and "<code>ending_reason</code>" in page
    assert "C001" not in page and "C002" not in page


def test_the_download_is_a_zip_of_the_export(client, researcher, project, practice):
    login(client, researcher)
    url = reverse("studies:export", args=[project.pk])
    response = client.get(url, {"format": "parquet"})
    assert response.status_code == 200
    assert response["Content-Disposition"] == 'attachment; filename="alliance-outcome-parquet.zip"'
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    names = sorted(i.filename for i in archive.infolist())
    files = ["long", "wide", "episodes"]
    files = [f"{n}.parquet" for n in files] + ["codebook.csv", "codebook.json", "README.txt"]
    assert names == sorted(f"alliance-outcome-parquet/{n}" for n in files)
    assert {i.date_time for i in archive.infolist()} == {(1980, 1, 1, 0, 0, 0)}
    long = pd.read_parquet(io.BytesIO(archive.read("alliance-outcome-parquet/long.parquet")))
    pd.testing.assert_frame_equal(long, build_dataset(project).long, check_dtype=False)
    logged = ProjectExport.objects.get()
    assert (logged.exported_by, logged.via, logged.format) == (researcher, "web", "parquet")
    assert (logged.clients, logged.responses) == (2, 14)


def test_a_download_in_an_unknown_format_answers_400(client, researcher, project):
    login(client, researcher)
    response = client.get(reverse("studies:export", args=[project.pk]), {"format": "xlsx"})
    assert response.status_code == 400
    assert response.content.decode() == "format: 'xlsx'; expected one of csv, parquet, sav"


def test_a_score_the_definitions_do_not_know_is_reported_not_exported(
    client, researcher, project, practice
):
    episode = practice["C001"].episodes.get()
    answer(episode, episode.sessions.get(number=1), "phq9", {"mood": 3})
    login(client, researcher)
    for url in (
        reverse("studies:project", args=[project.pk]),
        reverse("studies:export", args=[project.pk]) + "?format=csv",
    ):
        response = client.get(url)
        assert response.status_code == 409
        assert "expected a scale of phq9: one of [&#x27;total&#x27;]" in response.content.decode()
    assert not ProjectExport.objects.exists()
