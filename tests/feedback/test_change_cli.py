"""`alliance change` and `alliance outcomes`, run in-process.

The claus_2020 figures are the published results of the R package clinicalsignificance
(cs_distribution.md and cs_combined.md test snapshots; see tests/feedback/test_change.py).
"""

import json
import statistics
from pathlib import Path

import pandas as pd
import pytest

from alliance.cli import main

REFERENCE = Path(__file__).resolve().parents[2].parent / "shared" / "reference-data"


def reference(name: str) -> Path:
    if not REFERENCE.is_dir():
        pytest.skip(f"reference data folder {REFERENCE} is absent")
    return REFERENCE / name


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def change(capsys, path, *extra: str, score="hamd", pre="1", post="4", id_col="id"):
    return run(
        capsys,
        "change",
        "--input",
        str(path),
        "--id-col",
        id_col,
        "--time-col",
        "time",
        "--score-col",
        score,
        "--pre",
        pre,
        "--post",
        post,
        *extra,
    )


# -- alliance change -------------------------------------------------------------------------


def test_change_reproduces_the_published_hamd_counts(capsys):
    code, out, err = change(
        capsys, reference("claus_2020.csv"), "--reliability", ".80", "--format", "json"
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["n_used", "s_diff", "cutoff", "counts", "cases"]
    assert data["n_used"] == 40
    assert data["cutoff"] is None
    assert data["counts"] == {
        "recovered": 0,
        "improved": 29,
        "unchanged": 10,
        "deteriorated": 1,
        "harmed": 0,
    }


def test_change_with_functional_norms_reproduces_cutoff_c_and_its_categories(capsys):
    code, out, _ = change(
        capsys,
        reference("claus_2020.csv"),
        *("--reliability", ".80", "--functional-mean", "8", "--functional-sd", "8"),
        *("--format", "json"),
    )
    assert code == 0
    data = json.loads(out)
    assert round(data["cutoff"], 3) == 19.887
    assert data["counts"] == {
        "recovered": 26,
        "improved": 3,
        "unchanged": 10,
        "deteriorated": 1,
        "harmed": 0,
    }


def test_change_cases_list_the_complete_pairs_with_integer_ids(capsys):
    path = reference("claus_2020.csv")
    _, out, _ = change(capsys, path, "--reliability", ".80", "--format", "json")
    data = json.loads(out)
    wide = pd.read_csv(path).pivot(index="id", columns="time", values="hamd")[[1, 4]].dropna()
    assert [c["id"] for c in data["cases"]] == wide.index.tolist()
    assert list(data["cases"][0]) == ["id", "category", "rci"]
    # S_diff from the standard library's SD of the complete pre scores
    s_diff = statistics.stdev(wide[1].tolist()) * (2 * (1 - 0.8)) ** 0.5
    assert data["s_diff"] == pytest.approx(s_diff, rel=1e-12)
    first = data["cases"][0]
    assert first["rci"] == pytest.approx((wide.iloc[0][4] - wide.iloc[0][1]) / s_diff)


def test_change_matches_text_time_points_as_text(capsys):
    code, out, _ = change(
        capsys,
        reference("jacobson_1989.csv"),
        *("--reliability", ".8", "--format", "json"),
        score="gds",
        pre="pre",
        post="post",
        id_col="subject",
    )
    assert code == 0
    assert json.loads(out)["n_used"] == 26


def write(tmp_path: Path, text: str, name: str = "data.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def test_change_matches_numeric_time_points_as_numbers(tmp_path, capsys):
    path = write(tmp_path, "id,time,score\na,1.0,20\na,2,10\nb,1,18\nb,2.00,17\nc,1,25\nc,2,12\n")
    code, out, _ = change(
        capsys, path, "--reliability", ".8", "--format", "json", score="score", pre="1", post="2"
    )
    assert code == 0
    data = json.loads(out)
    assert data["n_used"] == 3
    assert [c["id"] for c in data["cases"]] == ["a", "b", "c"]


def test_change_higher_is_better_flips_the_direction(tmp_path, capsys):
    path = write(tmp_path, "id,time,score\n1,1,10\n1,2,30\n2,1,20\n2,2,20\n3,1,30\n3,2,10\n")
    _, higher, _ = change(
        capsys,
        path,
        "--reliability",
        ".9",
        "--better",
        "higher",
        "--format",
        "json",
        score="score",
        pre="1",
        post="2",
    )
    assert [c["category"] for c in json.loads(higher)["cases"]] == [
        "improved",
        "unchanged",
        "deteriorated",
    ]


def test_change_prints_a_readable_table_by_default(capsys):
    code, out, _ = change(capsys, reference("claus_2020.csv"), "--reliability", ".80")
    assert code == 0
    assert "pairs used: 40" in out
    assert any(line.split()[:2] == ["improved", "29"] for line in out.splitlines())


GOOD = "id,time,score\n1,1,20\n1,2,10\n2,1,18\n2,2,17\n"
OPTIONS = ("--reliability", ".8", "--format", "json")


@pytest.mark.parametrize(
    ("csv", "argv", "message"),
    [
        (
            "id,time,score\n1,1,20\n1,2,ten\n",
            OPTIONS,
            "data.csv: row 2, column score: 'ten'; expected a number or empty",
        ),
        ("id,time,value\n1,1,20\n", OPTIONS, "data.csv: lacks columns ['score']"),
        ("id,time,score\n1,1,20\n,2,10\n", OPTIONS, "data.csv: row 2, column id: empty"),
        ("id,time,score\n1,,20\n", OPTIONS, "data.csv: row 1, column time: empty"),
        (
            GOOD + "1,1,19\n",
            OPTIONS,
            "row 5, column id: id 1 appears again at time 1.0",
        ),
        (GOOD, ("--pre", "x", *OPTIONS), "--pre 'x': column time holds numbers"),
        (GOOD, ("--post", "3", *OPTIONS), "post time point 3.0: no row has it"),
        (GOOD, ("--reliability", "1.2"), "reliability: 1.2; expected a number between 0 and 1"),
        (
            GOOD,
            (*OPTIONS, "--functional-mean", "8"),
            "give functional_mean and functional_sd together",
        ),
        ("id,time,score\n1,1,20\n1,2,10\n", OPTIONS, "needs at least 2 complete pairs"),
    ],
)
def test_change_bad_input_exits_2_naming_the_problem(tmp_path, capsys, csv, argv, message):
    path = write(tmp_path, csv)
    options = list(argv)
    pre = options.pop(options.index("--pre") + 1) if "--pre" in options else "1"
    post = options.pop(options.index("--post") + 1) if "--post" in options else "2"
    options = [o for o in options if o not in ("--pre", "--post")]
    code, out, err = change(capsys, path, *options, score="score", pre=pre, post=post)
    assert code == 2
    assert out == ""
    assert message in err
    assert err.count("\n") == 1


def test_change_refuses_one_column_for_two_roles(tmp_path, capsys):
    path = write(tmp_path, "id,time,score\n1,1,20\n")
    code, out, err = change(capsys, path, "--reliability", ".8", score="time")
    assert (code, out) == (2, "")
    assert "three different columns" in err


def test_change_names_a_missing_file(tmp_path, capsys):
    code, out, err = change(capsys, tmp_path / "nope.csv", "--reliability", ".8")
    assert (code, out) == (2, "")
    assert "no such file" in err


# -- alliance outcomes -----------------------------------------------------------------------

OUTCOMES_CSV = """client_id,session,instrument,score,attended
c1,1,phq9,18,yes
c1,1,gad7,14,yes
c1,2,phq9,12,
c1,2,gad7,10,
c1,3,phq9,6,yes
c1,3,gad7,5,yes
c2,1,phq9,9,true
c2,1,gad7,7,true
c2,2,phq9,15,true
c2,2,gad7,7,true
c3,1,phq9,20,1
c3,1,gad7,15,1
c3,2,phq9,5,0
c3,2,gad7,3,0
c4,1,phq9,12,
c4,1,gad7,,
c4,2,phq9,11,
c4,2,gad7,9,
"""


def test_outcomes_prints_the_contract_json(tmp_path, capsys):
    path = write(tmp_path, OUTCOMES_CSV)
    code, out, err = run(capsys, "outcomes", "--input", str(path), "--format", "json")
    assert (code, err) == (0, "")
    assert json.loads(out) == {
        "clients": [
            # 18/14 -> 6/5: reliable improvement on both, below both cut-offs
            {
                "client_id": "c1",
                "paired": True,
                "case_at_start": True,
                "recovered": True,
                "reliable_improvement": True,
                "reliable_deterioration": False,
                "reliable_recovery": True,
            },
            # 9/7 -> 15/7: not a case at start, PHQ-9 up by 6
            {
                "client_id": "c2",
                "paired": True,
                "case_at_start": False,
                "recovered": None,
                "reliable_improvement": False,
                "reliable_deterioration": True,
                "reliable_recovery": None,
            },
            # the second session was not attended: one counted session
            {
                "client_id": "c3",
                "paired": False,
                "case_at_start": None,
                "recovered": None,
                "reliable_improvement": None,
                "reliable_deterioration": None,
                "reliable_recovery": None,
            },
            # the first session lacks the GAD-7: one counted session
            {
                "client_id": "c4",
                "paired": False,
                "case_at_start": None,
                "recovered": None,
                "reliable_improvement": None,
                "reliable_deterioration": None,
                "reliable_recovery": None,
            },
        ],
        "summary": {
            "finished": 2,
            "cases": 1,
            "recovery_rate": 1.0,
            "reliable_improvement_rate": 0.5,
            "reliable_recovery_rate": 1.0,
            "reliable_deterioration_rate": 0.5,
        },
    }


def test_outcomes_works_without_an_attended_column(tmp_path, capsys):
    csv = "\n".join(line.rsplit(",", 1)[0] for line in OUTCOMES_CSV.splitlines()) + "\n"
    path = write(tmp_path, csv)
    code, out, _ = run(capsys, "outcomes", "--input", str(path), "--format", "json")
    assert code == 0
    clients = {c["client_id"]: c for c in json.loads(out)["clients"]}
    # c3's second session now counts: 20/15 -> 5/3 is a reliable recovery
    assert clients["c3"]["reliable_recovery"] is True


def test_outcomes_prints_a_readable_summary_by_default(tmp_path, capsys):
    path = write(tmp_path, OUTCOMES_CSV)
    code, out, _ = run(capsys, "outcomes", "--input", str(path))
    assert code == 0
    assert "recovery: 1 of 1 (100.0%)" in out
    assert "reliable deterioration: 1 of 2 (50.0%)" in out


@pytest.mark.parametrize(
    ("line", "replacement", "message"),
    [
        ("c1,1,gad7,14,yes", "c1,1,gad,14,yes", "data.csv: row 2, column instrument: 'gad'"),
        ("c1,1,gad7,14,yes", "c1,1,gad7,24,yes", "data.csv: row 2, column score: 24 is outside"),
        ("c1,1,gad7,14,yes", "c1,,gad7,14,yes", "data.csv: row 2, column session: ''"),
        ("c1,1,gad7,14,yes", "c1,1.5,gad7,14,yes", "data.csv: row 2, column session: '1.5'"),
        ("c1,1,gad7,14,yes", "c1,1,gad7,14,maybe", "data.csv: row 2, column attended: 'maybe'"),
        ("c1,1,gad7,14,yes", "c1,1,gad7,14,no", "row 2, column attended: session 1 of client"),
        ("c1,1,gad7,14,yes", "c1,1,phq9,14,yes", "row 2, column instrument: a second phq9"),
        ("c1,1,gad7,14,yes", ",1,gad7,14,yes", "data.csv: row 2, column client_id: empty"),
    ],
)
def test_outcomes_bad_input_exits_2_naming_row_and_column(
    tmp_path, capsys, line, replacement, message
):
    path = write(tmp_path, OUTCOMES_CSV.replace(line, replacement))
    code, out, err = run(capsys, "outcomes", "--input", str(path), "--format", "json")
    assert code == 2
    assert out == ""
    assert message in err


def test_outcomes_names_missing_columns(tmp_path, capsys):
    path = write(tmp_path, "client_id,session,measure,score\nc1,1,phq9,10\n")
    code, out, err = run(capsys, "outcomes", "--input", str(path), "--format", "json")
    assert (code, out) == (2, "")
    assert "lacks columns ['instrument']" in err


def test_missing_values_in_parquet_are_missing_not_bad_data(tmp_path, capsys):
    frame = pd.DataFrame(
        {
            "id": [1, 1, 2, 2, 3, 3, 4, 4],
            "time": [1, 2, 1, 2, 1, 2, 1, 2],
            "score": [20.0, 10.0, 25.0, None, 30.0, 29.0, 22.0, 21.0],
        }
    )
    path = tmp_path / "scores.parquet"
    frame.to_parquet(path)
    argv = ["change", "--input", str(path), "--id-col", "id", "--time-col", "time"]
    argv += ["--score-col", "score", "--pre", "1", "--post", "2", "--reliability", ".8"]
    assert main([*argv, "--format", "json"]) == 0
    assert json.loads(capsys.readouterr().out)["n_used"] == 3  # client 2 lacks a post score
