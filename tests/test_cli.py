"""The `alliance` command, tested in-process (plus one run of the installed entry point)."""

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest

from alliance.cli import main


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_instruments_list_json_has_the_contract_keys(capsys):
    code, out, _ = run(capsys, "instruments", "list", "--format", "json")
    assert code == 0
    rows = json.loads(out)
    phq9 = next(r for r in rows if r["id"] == "phq9")
    assert phq9["items"] == 9
    assert phq9["licence"] == "public-domain"
    assert phq9["respondent"] == "client"
    assert phq9["title"] == "Patient Health Questionnaire-9"


def test_instruments_list_prints_a_table_by_default(capsys):
    code, out, _ = run(capsys, "instruments", "list")
    assert code == 0
    assert any(line.startswith("phq9 ") for line in out.splitlines())


def test_instruments_show_json_lists_items_and_scales_in_order(capsys):
    code, out, _ = run(capsys, "instruments", "show", "phq9", "--format", "json")
    assert code == 0
    data = json.loads(out)
    assert [i["id"] for i in data["items"]] == [f"phq9_{n}" for n in range(1, 10)]
    assert [s["id"] for s in data["scales"]] == ["total"]
    assert data["scales"][0]["bands"][1] == {"from": 5.0, "label": "mild"}


def test_score_prints_the_contract_json(capsys):
    code, out, _ = run(capsys, "score", "phq9", "--answers", *"1 2 3 0 1 2 1 0 1".split())
    assert code == 0
    assert json.loads(out) == {
        "instrument": "phq9",
        "scores": {"total": 11},
        "bands": {"total": "moderate"},
        "flags": ["risk_self_harm"],
        "missing": [],
    }


def test_score_takes_na_for_missing_answers(capsys):
    code, out, _ = run(capsys, "score", "phq9", "--answers", *"1 2 3 0 1 2 1 NA 1".split())
    assert code == 0
    data = json.loads(out)
    assert data["missing"] == ["phq9_8"]
    assert data["scores"]["total"] == 12  # 11 * 9 / 8 = 12.375, rounded (PHQ manual)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["score", "nope", "--answers", "1"], "unknown instrument 'nope'"),
        (["score", "phq9", "--answers", "1", "2"], "expected 9 answers in item order"),
        (["score", "phq9", "--answers", *"1 2 3 0 1 2 1 0 7".split()], "item phq9_9: 7"),
        (["score", "phq9", "--answers", *"1 2 3 0 1 2 1 0 x".split()], "'x' is not a number"),
        (["score", "phq9"], "give --answers"),
        (["instruments", "show", "nope"], "unknown instrument"),
    ],
)
def test_bad_input_exits_2_with_one_line_naming_the_problem(capsys, argv, message):
    code, out, err = run(capsys, *argv)
    assert code == 2
    assert out == ""
    assert message in err
    assert len(err.strip().splitlines()) == 1


def test_unknown_options_exit_2(capsys):
    with pytest.raises(SystemExit) as exc:
        main(["score", "phq9", "--bogus"])
    assert exc.value.code == 2


def phq9_frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "client": ["a", "b", "c"],
            **{f"phq9_{n}": [1, 3, None] for n in range(1, 10)},
        }
    )


@pytest.mark.parametrize(("source_ext", "target_ext"), [("csv", "csv"), ("parquet", "parquet")])
def test_score_file_adds_scores_and_bands_and_keeps_other_columns(
    capsys, tmp_path, source_ext, target_ext
):
    source = tmp_path / f"in.{source_ext}"
    target = tmp_path / f"out.{target_ext}"
    frame = phq9_frame()
    if source_ext == "csv":
        frame.to_csv(source, index=False)
    else:
        frame.to_parquet(source, index=False)
    code, _, err = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 0, err
    out = pd.read_csv(target) if target_ext == "csv" else pd.read_parquet(target)
    assert list(out["client"]) == ["a", "b", "c"]
    assert list(out["total"][:2]) == [9, 27]
    assert list(out["total_band"][:2]) == ["mild", "severe"]
    assert pd.isna(out["total"][2])
    assert list(out["flag_risk_self_harm"]) == [True, True, False]


def test_score_file_converts_csv_to_parquet(capsys, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.parquet"
    phq9_frame().to_csv(source, index=False)
    code, _, _ = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 0
    assert list(pd.read_parquet(target)["total"][:2]) == [9, 27]


def test_a_bad_cell_names_the_row_and_item_and_writes_nothing(capsys, tmp_path, monkeypatch):
    import alliance.scorefile

    monkeypatch.setattr(alliance.scorefile, "CHUNK_ROWS", 2)  # the bad row is in a later chunk
    frame = pd.DataFrame({f"phq9_{n}": [0, 1, 2, 3, 0] for n in range(1, 10)})
    frame.loc[4, "phq9_6"] = 4
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    frame.to_csv(source, index=False)
    code, _, err = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 2
    assert "row 5, item phq9_6: 4 is not allowed; expected one of 0, 1, 2, 3" in err
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [source]


def test_a_text_cell_is_refused_with_its_row(capsys, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    source.write_text(
        ",".join(f"phq9_{n}" for n in range(1, 10))
        + "\n"
        + "1,1,1,1,1,1,1,1,1\n1,2,x,0,0,0,0,0,0\n"
    )
    code, _, err = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 2
    assert "row 2, item phq9_3: 'x' is not a number; expected one of 0, 1, 2, 3" in err
    assert not target.exists()


def test_a_file_lacking_item_columns_is_refused(capsys, tmp_path):
    source, target = tmp_path / "in.csv", tmp_path / "out.csv"
    pd.DataFrame({"phq9_1": [1]}).to_csv(source, index=False)
    code, _, err = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 2
    assert "input lacks item columns phq9_2" in err
    assert not target.exists()


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("in.txt", "x", "unknown extension '.txt'; expected one of .csv, .parquet, .pq"),
        ("in.parquet", "not parquet", "not a readable Parquet file"),
        ("in.csv", "", "empty, expected a header row"),
    ],
)
def test_malformed_files_exit_2(capsys, tmp_path, name, content, message):
    source, target = tmp_path / name, tmp_path / "out.csv"
    source.write_text(content)
    code, _, err = run(capsys, "score", "phq9", "--input", str(source), "--output", str(target))
    assert code == 2
    assert message in err
    assert not target.exists()


def test_install_text_installs_a_valid_pack(capsys, tmp_path, monkeypatch):
    monkeypatch.setenv("ALLIANCE_WORDING_DIR", str(tmp_path / "site"))
    from alliance.measures.wording import SHIPPED_DIR

    source = tmp_path / "pack.yaml"
    source.write_text((SHIPPED_DIR / "phq9.en.yaml").read_text())
    code, _, _ = run(capsys, "instruments", "install-text", "phq9", str(source))
    assert code == 0
    assert (tmp_path / "site" / "phq9.en.yaml").exists()
    source.write_text("instrument: phq9\n")
    code, _, err = run(capsys, "instruments", "install-text", "phq9", str(source))
    assert code == 2
    assert "Field required" in err


def test_the_installed_entry_point_runs():
    exe = shutil.which("alliance", path=str(Path(sys.executable).parent))
    if exe is None:
        pytest.skip("the alliance entry point is not installed (uv sync installs it)")
    result = subprocess.run(
        [exe, "score", "phq9", "--answers", *"0 0 0 0 0 0 0 0 9".split()],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 2
    assert result.stderr.startswith("alliance: error: phq9: item phq9_9: 9 is not allowed")


def test_the_command_starts_without_importing_the_statistics_stack():
    """Subcommand modules import heavy libraries inside their command functions, so that
    `alliance score ...` starts fast."""
    code = (
        "import sys, alliance.cli; alliance.cli.build_parser(); "
        "print(sorted(m for m in ('statsmodels', 'scipy', 'django') if m in sys.modules))"
    )
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "[]"
