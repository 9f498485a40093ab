"""`alliance alerts`, tested in-process (contract of issue 4)."""

import json

import pytest

from alliance.cli import main

HEADER = "client_id,session,instrument,respondent,scale,score"

HISTORY = """\
client_id,session,instrument,respondent,scale,score,attended
c1,1,wai-sr,client,goal,17,true
c1,1,wai-sr,client,task,17,true
c1,1,wai-sr,client,bond,16,true
c1,2,wai-sr,client,goal,17,true
c1,2,wai-sr,client,task,18,true
c1,2,wai-sr,client,bond,17,true
c1,3,wai-sr,client,goal,18,true
c1,3,wai-sr,client,task,17,true
c1,3,wai-sr,client,bond,17,true
c1,4,wai-sr,client,goal,16,true
c1,4,wai-sr,client,task,16,true
c1,4,wai-sr,client,bond,11,true
c1,4,wai-sr-t,practitioner,total,58,true
c1,1,phq9,client,total,10,true
c1,4,phq9,client,total,16,true
c1,4,phq9,client,phq9_9,1,true
c2,1,srs,client,total,38,true
c2,2,srs,client,total,35.5,true
c2,3,srs,client,total,,false
c2,4,srs,client,total,38.4,true
"""


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def write(tmp_path, text, name="history.csv"):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return str(path)


def test_alerts_json_lists_every_alert_with_the_contract_keys(capsys, tmp_path):
    code, out, err = run(capsys, "alerts", "--input", write(tmp_path, HISTORY), "--format", "json")
    assert code == 0, err
    alerts = json.loads(out)["alerts"]
    keys = {"client_id", "session", "kind", "scale", "severity", "explanation"}
    assert all(keys <= set(a) for a in alerts)
    assert [(a["client_id"], a["session"], a["kind"], a["scale"]) for a in alerts] == [
        ("c1", 4, "reliable_deterioration", "total"),
        ("c1", 4, "alliance_rupture", "total"),
        ("c1", 4, "alliance_discrepancy", "total"),
        ("c1", 4, "dropout_risk", None),
        ("c1", 4, "risk_item", "phq9_9"),
        ("c2", 2, "low_alliance", "total"),
        ("c2", 2, "alliance_rupture", "total"),
        ("c2", 3, "dropout_risk", None),
        ("c2", 4, "alliance_rupture_resolved", "total"),
    ]
    by_kind = {(a["client_id"], a["kind"]): a for a in alerts}
    assert by_kind[("c1", "risk_item")]["severity"] == "urgent"
    # WAI-SR-T total 58 against the client's 43: (58 - 43) / 12 = 1.25 steps per item.
    assert "1.25 answer steps higher" in by_kind[("c1", "alliance_discrepancy")]["explanation"]
    assert by_kind[("c2", "alliance_rupture_resolved")]["suggestions"]
    # The session not attended (attended=false, no score) counts as missed for drop-out risk.
    assert "missed or late-cancelled sessions" in by_kind[("c2", "dropout_risk")]["explanation"]


def test_alerts_json_is_the_default_format(capsys, tmp_path):
    code, out, _ = run(capsys, "alerts", "--input", write(tmp_path, HISTORY))
    assert code == 0
    assert "alerts" in json.loads(out)


def test_alerts_text_format_prints_one_line_per_alert(capsys, tmp_path):
    code, out, _ = run(capsys, "alerts", "--input", write(tmp_path, HISTORY), "--format", "text")
    assert code == 0
    lines = out.splitlines()
    assert len(lines) == 9
    assert lines[4].startswith("c1 session 4 [urgent] risk_item phq9/phq9_9: At session 4")


def test_a_history_without_alerts_gives_an_empty_list(capsys, tmp_path):
    text = f"{HEADER}\nc1,1,srs,client,total,39\nc1,2,srs,client,total,39.5\n"
    code, out, _ = run(capsys, "alerts", "--input", write(tmp_path, text), "--format", "json")
    assert code == 0
    assert json.loads(out) == {"alerts": []}


def test_the_flags_column_raises_risk_alerts(capsys, tmp_path):
    text = f"{HEADER},flags\nc1,1,phq9,client,total,14,risk_self_harm\nc1,2,phq9,client,total,9,\n"
    code, out, _ = run(capsys, "alerts", "--input", write(tmp_path, text), "--format", "json")
    assert code == 0
    (alert,) = json.loads(out)["alerts"]
    assert (alert["kind"], alert["session"], alert["scale"]) == ("risk_item", 1, "phq9_9")


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("c1,2,phq10,client,total,5", "row 2, column instrument: 'phq10'; expected one of"),
        ("c1,2,srs,therapist,total,30", "row 2, column respondent: 'therapist'; expected one of"),
        ("c1,2,srs,client,bond,5", "row 2, column scale: 'bond' is not a scale of srs"),
        ("c1,2,srs,client,total,45", "row 2, column score: 45 is outside the range"),
        ("c1,2,srs,client,total,high", "row 2, column score: 'high'; expected a number"),
        ("c1,two,srs,client,total,30", "row 2, column session: 'two'; expected a whole number"),
        ("c1,-2,srs,client,total,30", "row 2, column session: -2; expected a whole number from 0"),
        (",2,srs,client,total,30", "row 2, column client_id: empty"),
        ("c1,1,srs,client,total,30", "row 2, column scale: 'total' of srs (client) for client"),
        ("c1,2,phq9,client,phq9_9,4", "row 2, column score: 4 is outside the range of phq9"),
    ],
)
def test_bad_input_exits_2_naming_the_row_and_column(capsys, tmp_path, line, message):
    text = f"{HEADER}\nc1,1,srs,client,total,38\n{line}\n"
    code, out, err = run(capsys, "alerts", "--input", write(tmp_path, text), "--format", "json")
    assert code == 2
    assert out == ""
    assert len(err.strip().splitlines()) == 1
    assert "history.csv" in err and message in err


def test_a_missing_column_exits_2_naming_it(capsys, tmp_path):
    text = "client_id,session,instrument,scale,score\nc1,1,srs,total,30\n"
    code, out, err = run(capsys, "alerts", "--input", write(tmp_path, text))
    assert (code, out) == (2, "")
    assert "lacks columns ['respondent']" in err


def test_a_bad_attended_value_exits_2_naming_it(capsys, tmp_path):
    text = f"{HEADER},attended\nc1,1,srs,client,total,30,maybe\n"
    code, out, err = run(capsys, "alerts", "--input", write(tmp_path, text))
    assert (code, out) == (2, "")
    assert "row 1, column attended: 'maybe'" in err


def test_an_unknown_flag_exits_2_naming_it(capsys, tmp_path):
    text = f"{HEADER},flags\nc1,1,srs,client,total,30,risk_self_harm\n"
    code, out, err = run(capsys, "alerts", "--input", write(tmp_path, text))
    assert (code, out) == (2, "")
    assert "row 1, column flags: 'risk_self_harm' is not a flag of srs" in err


def test_a_missing_file_exits_2(capsys, tmp_path):
    code, out, err = run(capsys, "alerts", "--input", str(tmp_path / "nope.csv"))
    assert (code, out) == (2, "")
    assert "no such file" in err


def test_an_etr_model_adds_not_on_track_alerts(capsys, tmp_path):
    from alliance.feedback import etr

    summary = etr.FitSummary(1, 1, ((2, 1),), 0.0, 27.0, 15.0, 5.0, "2026-01-01", "test")
    model = etr.EtrModel(
        instrument="phq9",
        scale="total",
        direction="lower-is-better",
        percentile=90.0,
        expected_coefficients=(0.0, 1.0, 0.0, 0.0, 0.0, 0.0),  # expected = intake
        boundary_coefficients=(3.0, 1.0, 0.0, 0.0, 0.0, 0.0),  # boundary = intake + 3
        first_session=2,
        last_session=12,
        score_low=0.0,
        score_high=27.0,
        fitted_on=summary,
    )
    etr.save_model(model, tmp_path / "model.json")
    text = f"{HEADER}\nc1,1,phq9,client,total,12\nc1,2,phq9,client,total,16\n"
    path = write(tmp_path, text)
    code, out, _ = run(
        capsys, "alerts", "--input", path, "--etr-model", str(tmp_path / "model.json")
    )
    assert code == 0
    (alert,) = [a for a in json.loads(out)["alerts"] if a["kind"] == "not_on_track"]
    assert (alert["session"], alert["instrument"]) == (2, "phq9")
    assert "about 12 by now; 16 is beyond 15" in alert["explanation"]
    code, out, err = run(capsys, "alerts", "--input", path, "--etr-model", str(tmp_path / "x.json"))
    assert (code, out) == (2, "")
    assert "no such file" in err
