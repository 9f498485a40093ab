"""`alliance report`, run in-process: an export folder to HTML, a simulated long file to PDF,
and bad input that exits with status 2 leaving no file behind."""

import json
from pathlib import Path

import pandas as pd
import pytest
from pypdf import PdfReader

from alliance.cli import main
from alliance.feedback.simulator import simulate
from alliance.research.datasets import build_codebook, wide_format, write_dataset, write_table
from tests.research.report_data import synthetic


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture(scope="module")
def export(tmp_path_factory) -> Path:
    """A folder as `alliance export --format csv` writes it, with an episodes table."""
    folder = tmp_path_factory.mktemp("export")
    long, episodes = synthetic(n_clients=40, seed=11)
    write_dataset(long, wide_format(long), build_codebook(long), folder, "csv")
    write_table(episodes, folder / "episodes.csv", "csv")
    return folder


def simulated_long(n_clients: int, seed: int) -> pd.DataFrame:
    """Simulator courses (PHQ-9 and WAI-SR) in the long format of the export."""
    sim = simulate(n_clients, "phq9", seed=seed, alliance="wai-sr")
    sim = sim[sim["attended"]]
    return pd.DataFrame(
        {
            "pid": sim["client_id"].astype(str),
            "episode": 1,
            "session": sim["session"],
            "days_since_intake": 7 * (sim["session"] - 1),
            "modality": "in_person",
            "respondent": sim["respondent"],
            "instrument": sim["instrument"],
            "scale": sim["scale"],
            "score": sim["score"],
        }
    ).reset_index(drop=True)


@pytest.fixture(scope="module")
def written(export, tmp_path_factory) -> Path:
    """`alliance report --input <export> --output report.html`, run once; its folder."""
    folder = tmp_path_factory.mktemp("report")
    assert main(["report", "--input", str(export), "--output", str(folder / "report.html")]) == 0
    return folder


def test_report_writes_html_and_json_from_an_export_folder(export, written, capsys):
    tmp_path = written
    target = tmp_path / "report.html"
    html = target.read_text(encoding="utf-8")
    numbers = json.loads((tmp_path / "report.json").read_text(encoding="utf-8"))
    assert numbers["source"] == export.name
    assert [s["available"] for s in numbers["sections"].values()] == [True] * 6
    assert "2. Alliance and outcome: correlations" in html
    for row in numbers["sections"]["correlations"]["tables"]["results"][:3]:
        assert f'data-value="{row["r"]}"' in html
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html", "report.json"]


def test_the_correlations_of_the_report_are_alliance_correlate_on_client_means_of_wide(
    export, written, tmp_path, capsys
):
    """The pairing rule, checked from the export's own wide file: per-client means."""
    numbers = json.loads((written / "report.json").read_text())
    values = numbers["sections"]["correlations"]["values"]
    wide = pd.read_csv(export / "wide.csv")
    means = wide.groupby("pid")[[*values["x"], *values["y"]]].mean()
    means.to_csv(tmp_path / "means.csv")
    code, out, _ = run(
        capsys,
        *("correlate", "--input", str(tmp_path / "means.csv"), "--x", ",".join(values["x"])),
        *("--y", ",".join(values["y"]), "--format", "json"),
    )
    assert code == 0
    assert json.loads(out)["results"] == numbers["sections"]["correlations"]["tables"]["results"]


def test_report_renders_a_pdf_of_a_simulated_long_file(tmp_path, capsys):
    source = tmp_path / "courses.parquet"
    simulated_long(40, seed=4).to_parquet(source, index=False)
    target = tmp_path / "out" / "study.pdf"
    target.parent.mkdir()
    code, _, err = run(capsys, "report", "--input", str(source), "--output", str(target))
    assert code == 0, err
    numbers = json.loads((tmp_path / "out" / "study.json").read_text())
    text = "\n".join(page.extract_text() for page in PdfReader(target).pages)
    for title in (
        "1. Data",
        "2. Alliance and outcome: correlations",
        "3. Alliance and outcome session by session",
        "4. Early alliance and change",
        "5. Effectiveness",
        "6. Practitioner comparison",
    ):
        assert title in text
    first = numbers["sections"]["correlations"]["tables"]["results"][0]
    assert f"{first['r']:.3f}" in text
    within = numbers["sections"]["multilevel"]["tables"]["coefficients"][1]
    assert within["term"] == "alliance_within" and f"{within['estimate']:.3f}" in text
    assert "No episodes table" in text  # the practitioner section says why it is empty
    assert not numbers["sections"]["practitioners"]["available"]


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d / "nowhere", "no such file or folder; expected a folder written by"),
        (lambda d: d / "scores.xlsx", "unknown extension .xlsx; expected a folder or a file"),
        (lambda d: d / "scores.csv", "lacks the long-format columns ['pid', 'episode'"),
        (lambda d: d / "empty", "no long.csv, long.parquet or long.sav"),
    ],
    ids=["missing", "unknown-extension", "not-long", "folder-without-long"],
)
def test_bad_input_exits_2_naming_the_problem_and_writes_nothing(tmp_path, capsys, make, message):
    source = make(tmp_path)
    if source.suffix in {".csv", ".xlsx"}:
        pd.DataFrame({"client": ["a"], "phq9": [3]}).to_csv(source, index=False)
    elif source.name == "empty":
        source.mkdir()
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "report", "--input", str(source), "--output", str(out / "r.html"))
    assert code == 2
    assert err.startswith("alliance: error: ") and message in err
    assert list(out.iterdir()) == []


@pytest.mark.parametrize(
    ("output", "message"),
    [
        ("report.docx", "unknown extension .docx; expected a file ending in .html or .pdf"),
        ("report", "unknown extension (none); expected a file ending in .html or .pdf"),
        ("missing/report.html", "does not exist"),
    ],
)
def test_a_bad_output_path_exits_2_before_any_work(export, tmp_path, capsys, output, message):
    code, _, err = run(capsys, "report", "--input", str(export), "--output", str(tmp_path / output))
    assert code == 2 and message in err
    assert list(tmp_path.iterdir()) == []


def test_a_failure_while_rendering_leaves_no_partial_file(tmp_path, capsys, monkeypatch):
    import alliance.research.report as report_package
    from alliance.research.errors import ResearchError

    def broken(report, path):
        Path(path).write_bytes(b"%PDF-1.7 half")
        raise ResearchError("rendering failed")

    monkeypatch.setattr(report_package, "render_pdf", broken)
    source = tmp_path / "long.csv"
    long, _ = synthetic(n_clients=6, seed=1)
    long.to_csv(source, index=False)
    out = tmp_path / "out"
    out.mkdir()
    code, _, err = run(capsys, "report", "--input", str(source), "--output", str(out / "r.pdf"))
    assert (code, err.strip()) == (2, "alliance: error: rendering failed")
    assert list(out.iterdir()) == []


def test_unknown_variables_exit_2_listing_the_variables_of_the_data(export, tmp_path, capsys):
    code, _, err = run(
        capsys,
        *("report", "--input", str(export), "--output", str(tmp_path / "r.html")),
        *("--outcome", "phq9"),
    )
    assert code == 2
    assert "outcome: unknown variable 'phq9'; the data have [" in err and "phq9_total" in err
    assert list(tmp_path.iterdir()) == []


def test_report_is_listed_in_the_command_help(capsys):
    with pytest.raises(SystemExit):
        main(["--help"])
    assert "report" in capsys.readouterr().out
