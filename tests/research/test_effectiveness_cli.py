"""`alliance effectiveness`, run in-process.  The reference for every number is the library
(``alliance.research.effectiveness``, itself validated against metafor, statsmodels and hand
computations in test_effectiveness.py) called on the same file."""

import json

import numpy as np
import pandas as pd
import pytest

from alliance.cli import main
from alliance.feedback.change import criteria_for
from alliance.research.effectiveness import effectiveness, practitioner_effects


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def episodes(n: int = 120, seed: int = 3) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    who = rng.choice([f"t{k}" for k in range(6)], n)
    pre = rng.integers(8, 27, n).astype(float)
    post = np.clip(pre - rng.normal(6, 6, n), 0, 27).round()
    post[rng.random(n) < 0.1] = np.nan
    reason = rng.choice(["completed", "dropped_out", ""], n, p=[0.7, 0.2, 0.1])
    return pd.DataFrame(
        {
            "episode": [f"e{i}" for i in range(n)],
            "practice": np.where(np.isin(who, ["t0", "t1", "t2"]), "north", "south"),
            "therapist": who,
            "phq_pre": pre,
            "phq_post": post,
            "sessions": rng.integers(1, 16, n),
            "ended": reason,
        }
    )


def write(tmp_path, frame: pd.DataFrame, name: str = "episodes.csv"):
    path = tmp_path / name
    if name.endswith(".csv"):
        frame.to_csv(path, index=False)
    else:
        frame.to_parquet(path)
    return path


BASE = ("--client-col", "episode", "--pre-col", "phq_pre", "--post-col", "phq_post")


def test_json_output_equals_the_library_per_practice_and_practitioner(capsys, tmp_path):
    frame = episodes()
    path = write(tmp_path, frame)
    code, out, err = run(
        capsys,
        *("effectiveness", "--input", str(path), *BASE),
        *("--practice-col", "practice", "--practitioner-col", "therapist"),
        *("--sessions-col", "sessions", "--ended-reason-col", "ended"),
        *("--instrument", "phq9", "--format", "json"),
    )
    assert (code, err) == (0, "")
    data = json.loads(out)
    assert list(data) == ["overall", "practices", "practitioners", "practitioner_effects"]
    library = frame.assign(ended=frame["ended"].replace("", None))
    args = (library, "episode", "phq_pre", "phq_post", criteria_for("phq9"))
    kw = {"sessions_col": "sessions", "ended_reason_col": "ended"}
    practices = effectiveness(*args, by="practice", **kw)
    assert [p["practice"] for p in data["practices"]] == ["north", "south"]
    for row, (_, expected) in zip(data["practices"], practices.iterrows(), strict=True):
        for key in ("n_clients", "dropout_rate", "pct_reliably_improved", "d", "ci_low"):
            assert row[key] == pytest.approx(expected[key], rel=1e-12)
    overall = effectiveness(*args, **kw).iloc[0]
    assert data["overall"]["g"] == pytest.approx(overall["g"], rel=1e-12)
    assert len(data["practitioners"]) == 6
    shrunk = practitioner_effects(library, "therapist", "phq_pre", "phq_post", "practice")
    effects = data["practitioner_effects"]
    assert effects["n_practitioners"] == 6
    assert [r["practitioner"] for r in effects["table"]] == list(shrunk.table["practitioner"])
    assert [r["estimate"] for r in effects["table"]] == pytest.approx(
        shrunk.table["estimate"].tolist(), rel=1e-9
    )


def test_parquet_input_with_a_flag_column_and_a_published_threshold(capsys, tmp_path):
    frame = episodes().assign(dropped=lambda f: f["ended"] == "dropped_out")
    path = write(tmp_path, frame, "episodes.parquet")
    code, out, err = run(
        capsys,
        *("effectiveness", "--input", str(path), *BASE, "--dropped-out-col", "dropped"),
        *("--reliable-change", "6", "--cutoff", "10", "--format", "json"),
    )
    assert (code, err) == (0, "")
    overall = json.loads(out)["overall"]
    assert overall["dropout_rate"] == pytest.approx(frame["dropped"].mean())
    assert overall["mean_sessions"] is None  # no --sessions-col: null, not NaN
    assert "practitioner_effects" not in json.loads(out)


def test_text_output_lists_practitioners_best_first(capsys, tmp_path):
    path = write(tmp_path, episodes())
    code, out, _ = run(
        capsys,
        *("effectiveness", "--input", str(path), *BASE, "--practitioner-col", "therapist"),
        *("--reliability", "0.84", "--better", "lower"),
    )
    assert code == 0
    assert out.startswith("clients: 120 (")
    ranks = [int(line.split()[0]) for line in out.splitlines() if line.startswith("  ")]
    assert ranks == sorted(ranks) and len(ranks) == 6


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        (("--pre-col", "nothing"), "lacks columns ['nothing']"),
        (("--practitioner-col", "episode"), "must name different columns"),
        (("--instrument", "nope"), "nope"),
        (("--instrument", "phq9", "--better", "higher"), "lower-is-better"),
    ],
)
def test_bad_input_exits_2_with_one_line_and_nothing_on_stdout(capsys, tmp_path, extra, message):
    path = write(tmp_path, episodes())
    argv = ["effectiveness", "--input", str(path), *BASE]
    if "--instrument" not in extra:
        argv += ["--reliable-change", "6"]
    argv += list(extra)
    code, out, err = run(capsys, *argv)
    assert code == 2 and out == ""
    assert message in err and len(err.strip().splitlines()) == 1


def test_a_text_score_names_its_row_and_column(capsys, tmp_path):
    frame = episodes().astype({"phq_post": object})
    frame.loc[4, "phq_post"] = "twelve"
    code, out, err = run(
        capsys,
        *("effectiveness", "--input", str(write(tmp_path, frame)), *BASE),
        *("--reliable-change", "6"),
    )
    assert (code, out) == (2, "")
    assert "row 5, column phq_post: 'twelve'" in err
