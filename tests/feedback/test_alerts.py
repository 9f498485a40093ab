"""Alerts: the registry and its texts (meta-tests), and every kind raised from a history.

Thresholds are those of alliance.feedback.alliance_signals (sources in
tests/feedback/test_alliance_signals.py) and the instrument definitions' change
parameters: PHQ-9 reliable change 6 (NHS Talking Therapies manual v7, 2024), ORS 5.
"""

import ast
import string
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from alliance.feedback import dropout, etr, sudden_gains, texts
from alliance.feedback.alerts import (
    ALERT_KINDS,
    Alert,
    alerts_for_frame,
    client_alerts,
    validate_history,
)
from alliance.feedback.alliance_signals import AllianceSettings
from alliance.feedback.errors import FeedbackError
from alliance.feedback.simulator import simulate

HERE = Path(__file__).resolve().parent


def rows(*spec, client="c1"):
    """(session, instrument, respondent, scale, score) tuples -> a history frame."""
    return pd.DataFrame(
        [
            {
                "client_id": client,
                "session": s,
                "instrument": i,
                "respondent": r,
                "scale": sc,
                "score": v,
            }
            for s, i, r, sc, v in spec
        ]
    )


def wai(session, goal, task, bond, respondent="client", instrument="wai-sr"):
    return [
        (session, instrument, respondent, "goal", goal),
        (session, instrument, respondent, "task", task),
        (session, instrument, respondent, "bond", bond),
    ]


def srs(*scores):
    return [(n, "srs", "client", "total", v) for n, v in enumerate(scores, start=1)]


def of_kind(alerts, kind):
    return [a for a in alerts if a.kind == kind]


# -- meta-tests ---------------------------------------------------------------------------


def test_the_registry_holds_at_least_the_kinds_of_the_cli_contract():
    contract = {
        "not_on_track",
        "reliable_deterioration",
        "low_alliance",
        "alliance_rupture",
        "alliance_discrepancy",
        "dropout_risk",
        "risk_item",
        "sudden_gain",
        "sudden_loss",
    }
    assert contract <= set(ALERT_KINDS)
    assert all(k.severity in ("info", "warning", "urgent") for k in ALERT_KINDS.values())


@pytest.mark.parametrize("kind", list(ALERT_KINDS))
def test_every_alert_kind_has_a_title_an_explanation_and_a_suggestion(kind):
    assert texts.TITLES.get(kind)
    keys = [k for k in texts.TEXTS if k == kind or k.startswith(f"{kind}.")]
    assert any(texts.TEXTS[k].explanation.strip() for k in keys), f"{kind}: no explanation"
    assert any(texts.TEXTS[k].suggestions for k in keys), f"{kind}: no suggestion"


def test_every_text_belongs_to_a_registered_alert_kind():
    assert {k.split(".")[0] for k in texts.TEXTS} <= set(ALERT_KINDS)
    assert set(texts.TITLES) == set(ALERT_KINDS)


def test_every_alert_kind_has_a_test_named_after_it():
    names = [
        node.name
        for path in HERE.glob("test_*.py")
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.FunctionDef) and node.name.startswith("test_")
    ]
    for kind in ALERT_KINDS:
        longer = [k for k in ALERT_KINDS if k != kind and kind in k]

        def names_it(name, kind=kind, longer=longer):
            for other in longer:  # alliance_rupture_resolved does not name alliance_rupture
                name = name.replace(other, "")
            return kind in name

        assert any(names_it(n) for n in names), f"alert kind {kind!r} has no test named after it"


@pytest.mark.parametrize("key", list(texts.TEXTS))
def test_every_text_fills_in_every_field_it_names(key):
    fields = sorted(texts.text_fields(key))
    values = {name: str(1000 + n) for n, name in enumerate(fields)}
    explanation, suggestions = texts.render(key, values)
    shown = explanation + " ".join(suggestions)
    assert all(v in shown for v in values.values())
    assert "{" not in shown and "}" not in shown


def test_texts_are_short_enough_to_read_at_a_glance():
    for key, text in texts.TEXTS.items():
        assert len(text.explanation) <= 500, key
        assert len(text.suggestions) <= 4, key
        assert all(len(s) <= 220 for s in text.suggestions), key


@pytest.mark.parametrize(
    ("value", "shown"),
    [(36.0, "36"), (51.333, "51.3"), (0.75, "0.75"), (8.3333, "8.3"), (-0.0, "0"), (2.5, "2.5")],
)
def test_numbers_are_written_as_people_write_them(value, shown):
    assert texts.number(value) == shown


# -- kinds computed through the other feedback modules ---------------------------------


def phq9(*scores, start=1):
    return [(n, "phq9", "client", "total", v) for n, v in enumerate(scores, start=start)]


def etr_model():
    """A hand-made PHQ-9 model: expected = intake, boundary = intake + 3 at every session."""
    summary = etr.FitSummary(
        n_episodes=1,
        n_scores=1,
        scores_per_session=((2, 1),),
        intake_min=0.0,
        intake_max=27.0,
        intake_mean=15.0,
        intake_sd=5.0,
        fit_date="2026-01-01",
        software="test",
    )
    return etr.EtrModel(
        instrument="phq9",
        scale="total",
        direction="lower-is-better",
        percentile=90.0,
        expected_coefficients=(0.0, 1.0, 0.0, 0.0, 0.0, 0.0),
        boundary_coefficients=(3.0, 1.0, 0.0, 0.0, 0.0, 0.0),
        first_session=2,
        last_session=12,
        score_low=0.0,
        score_high=27.0,
        fitted_on=summary,
    )


def test_not_on_track_is_raised_where_the_score_passes_the_etr_boundary():
    model = etr_model()
    history = rows(*phq9(15, 18, 19, 19, 12, 19))
    alerts = of_kind(client_alerts(history, etr_models=[model]), "not_on_track")
    # Boundary 18: 18 is on it (on track), 19 beyond it; raised again after being back.
    assert [a.session for a in alerts] == [3, 6]
    first = alerts[0]
    assert "PHQ-9 score was 19" in first.explanation
    assert "expected to be at about 15 by now; 19 is beyond 18" in first.explanation
    assert "only 10% of clients" in first.explanation
    # Agreement with the etr module's own status at the latest session.
    latest = etr.status(model, [1, 2, 3], [15, 18, 19])
    assert (latest.status, latest.expected, latest.boundary) == ("not_on_track", 15.0, 18.0)
    assert first.facts["boundary"] == latest.boundary


def test_not_on_track_needs_a_model_and_is_silent_without_one():
    history = rows(*phq9(15, 18, 19))
    assert of_kind(client_alerts(history), "not_on_track") == []


def test_sudden_gain_on_the_phq9_agrees_with_the_sudden_gains_module():
    scores = [20, 21, 20, 11, 10, 9]
    (alert,) = of_kind(client_alerts(rows(*phq9(*scores))), "sudden_gain")
    (event,) = sudden_gains.client_sudden_gains(range(1, 7), scores, instrument="phq9")
    assert (alert.session, alert.facts["pregain_session"]) == (event.postgain_session, 3)
    assert alert.facts["magnitude"] == event.magnitude == 9
    assert "Between sessions 3 and 4 the client's PHQ-9 score improved by 9 points" in (
        alert.explanation
    )
    assert "(20 to 11)" in alert.explanation
    assert alert.severity == "info"


def test_sudden_loss_on_the_phq9_agrees_with_the_sudden_gains_module():
    scores = [8, 9, 8, 17, 18, 19]
    alerts = client_alerts(rows(*phq9(*scores)))
    (alert,) = of_kind(alerts, "sudden_loss")
    (event,) = sudden_gains.client_sudden_gains(range(1, 7), scores, instrument="phq9", losses=True)
    assert (alert.session, alert.facts["magnitude"]) == (event.postgain_session, event.magnitude)
    assert "worsened by 9 points in one step (8 to 17)" in alert.explanation
    assert alert.severity == "warning"


def test_no_sudden_gain_is_bridged_across_a_missing_session_number():
    history = rows(*phq9(20, 21, 20), *phq9(11, 10, 9, start=5))
    assert of_kind(client_alerts(history), "sudden_gain") == []


def test_dropout_risk_agrees_with_the_dropout_module_as_of_each_session():
    history = rows(*srs(38.0, 33.0, 31.0), *phq9(15, 15, 16)).assign(attended=True)
    missed = rows((4, "srs", "client", "total", np.nan)).assign(attended=False)
    history = pd.concat([history, missed], ignore_index=True)
    alerts = of_kind(client_alerts(history), "dropout_risk")
    levels = {}
    for t in range(1, 5):
        risk = dropout.dropout_risk(
            list(range(1, t + 1)),
            outcome=[15, 15, 16, np.nan][:t],
            alliance=[38.0, 33.0, 31.0, np.nan][:t],
            attendance=["attended", "attended", "attended", "did_not_attend"][:t],
            answered=[True, True, True, False][:t],
        )
        levels[t] = risk
    # Raised when the level rises above the last one raised, unless only alliance signs
    # (which have their own alerts) contribute: session 2 is medium on alliance signs alone,
    # session 3 high with no early change added, session 4 still high.
    rank = {"low": 0, "medium": 1, "high": 2}
    raised, rises = 0, []
    for t in range(1, 5):
        ids = {f.id for f in levels[t].factors}
        if rank[levels[t].level] > raised and not ids <= {"low_alliance", "falling_alliance"}:
            raised = rank[levels[t].level]
            rises.append(t)
    assert [levels[t].level for t in range(1, 5)] == ["low", "medium", "high", "high"]
    assert [a.session for a in alerts] == rises == [3]
    for alert in alerts:
        expected = levels[alert.session]
        assert alert.facts["level"] == expected.level
        assert alert.facts["risk_score"] == expected.score
        assert f"drop-out risk score {texts.number(expected.score)}, {expected.level}" in (
            alert.explanation
        )
        assert texts.DROPOUT_FACTORS[expected.factors[0].id] in alert.explanation


def test_dropout_factor_names_cover_every_factor_of_the_dropout_module():
    assert set(texts.DROPOUT_FACTORS) == set(dropout.FACTORS)


def test_not_on_track_and_dropout_risk_texts_show_their_numbers():
    explanation, _ = texts.render(
        "not_on_track",
        {
            "session": "4",
            "instrument": "PHQ-9",
            "score": "17",
            "expected": "11.5",
            "boundary": "15.2",
            "tail_percent": "10%",
        },
    )
    assert all(n in explanation for n in ("17", "11.5", "15.2", "10%", "session 4"))
    explanation, _ = texts.render(
        "dropout_risk",
        {"session": "3", "factors": "a low alliance rating", "score": "3.5", "level": "medium"},
    )
    assert "a low alliance rating (drop-out risk score 3.5, medium)" in explanation


# -- alliance alerts from histories -------------------------------------------------------


def test_low_alliance_on_the_wai_sr_names_the_numbers_and_the_lowest_part():
    history = rows(*wai(1, 12, 13, 9))  # total 34 < 36
    (alert,) = client_alerts(history)
    assert (alert.kind, alert.session, alert.instrument, alert.scale) == (
        "low_alliance",
        1,
        "wai-sr",
        "total",
    )
    assert alert.severity == "warning"
    assert "34 out of 60" in alert.explanation
    assert "average answer of 2.83 on its 1-5 scale" in alert.explanation
    assert "concern level of 36" in alert.explanation
    assert "not a validated cut-off" in alert.explanation
    assert "lowest part was the bond (9 out of 20)" in alert.explanation
    assert alert.suggestions


def test_low_alliance_is_not_raised_at_the_concern_level_itself():
    assert client_alerts(rows(*wai(1, 12, 12, 12))) == []  # total 36


def test_low_alliance_on_the_srs_uses_the_pcoms_level_of_36():
    alerts = client_alerts(rows(*srs(35.9, 36.0)))
    (alert,) = of_kind(alerts, "low_alliance")
    assert alert.session == 1
    assert "35.9 out of 40" in alert.explanation and "below 36" in alert.explanation
    assert any("four lines" in s for s in alert.suggestions)


def test_low_caregiver_alliance_is_raised_for_a_low_tasc_p_rating():
    history = rows(
        (2, "tasc-p", "caregiver", "total", 29.0), (3, "tasc-p", "caregiver", "total", 30)
    )
    (alert,) = client_alerts(history)
    assert (alert.kind, alert.session) == ("low_caregiver_alliance", 2)
    assert "29 out of 48" in alert.explanation and "concern level of 30" in alert.explanation
    assert any("caregiver" in s for s in alert.suggestions)


def test_a_practitioners_low_rating_raises_no_low_alliance_alert():
    assert client_alerts(rows(*wai(1, 8, 8, 8, "practitioner", "wai-sr-t"))) == []


def test_alliance_rupture_in_the_bond_calls_for_attending_to_the_relationship():
    history = rows(
        *wai(1, 17, 17, 16), *wai(2, 17, 18, 17), *wai(3, 18, 17, 17), *wai(4, 16, 16, 11)
    )
    (alert,) = client_alerts(history)
    assert (alert.kind, alert.session, alert.scale) == ("alliance_rupture", 4, "total")
    # Totals 50, 52, 52, 43: baseline 51.3, drop 8.3; bond from 16.7 to 11.
    assert "rated the alliance 43 on the WAI-SR, 8.3 below their own baseline of 51.3" in (
        alert.explanation
    )
    assert "A drop of 6 or more" in alert.explanation
    assert "largest drop was in the bond (16.7 before, 11 now, out of 20)" in alert.explanation
    assert alert.facts["located"] == "bond"
    advice = " ".join(alert.suggestions)
    assert "relationship" in advice and "your own part" in advice


def test_alliance_rupture_in_goals_calls_for_renegotiating_the_work():
    history = rows(*wai(1, 17, 17, 17), *wai(2, 17, 17, 17), *wai(3, 10, 16, 17))
    (alert,) = client_alerts(history)
    assert alert.kind == "alliance_rupture"
    assert "largest drop was in agreement on goals (17 before, 10 now" in alert.explanation
    assert any("Renegotiate the work" in s for s in alert.suggestions)
    assert not any("your own part" in s for s in alert.suggestions)


def test_alliance_rupture_in_goals_and_bond_together_gets_both_kinds_of_advice():
    history = rows(*wai(1, 17, 17, 17), *wai(2, 17, 17, 17), *wai(3, 13, 17, 13))
    (alert,) = client_alerts(history)
    assert (
        "largest drop was in agreement on goals (17 before, 13 now, out of 20) and the bond "
        "(17 before, 13 now, out of 20)."
    ) in alert.explanation
    advice = " ".join(alert.suggestions)
    assert "your own part" in advice and "renegotiate the work" in advice


def test_alliance_rupture_on_the_srs_says_the_previous_rating_and_the_pcoms_rule():
    alerts = client_alerts(rows(*srs(38.0, 36.5)))
    (alert,) = of_kind(alerts, "alliance_rupture")
    assert "36.5 on the SRS, 1.5 below their own baseline of 38 (their previous rating)" in (
        alert.explanation
    )
    assert "PCOMS" in alert.explanation
    assert any("four lines" in s for s in alert.suggestions)


def test_alliance_rupture_resolved_is_reported_at_the_session_it_came_back():
    alerts = client_alerts(rows(*srs(38.0, 36.5, 38.0)))
    assert [(a.kind, a.session) for a in alerts] == [
        ("alliance_rupture", 2),
        ("alliance_rupture_resolved", 3),
    ]
    resolved = alerts[1]
    assert resolved.severity == "info"
    assert "at session 2 (36.5 against a baseline of 38) was repaired by session 3" in (
        resolved.explanation
    )
    assert "back at 38" in resolved.explanation


def test_alliance_rupture_unresolved_is_reported_when_the_repair_window_closes():
    alerts = client_alerts(rows(*srs(38.0, 36.5, 36.5, 37.0, 37.2, 39.0)))
    assert [(a.kind, a.session) for a in alerts] == [
        ("alliance_rupture", 2),
        ("alliance_rupture_unresolved", 5),
    ]
    assert "has not recovered in the 3 ratings since" in alerts[1].explanation
    assert "at session 5, was 37.2" in alerts[1].explanation


def test_a_caregiver_rupture_is_explained_as_the_caregivers():
    history = rows(
        *[(n, "tasc-p", "caregiver", "total", v) for n, v in [(1, 44), (2, 44), (3, 37)]]
    )
    (alert,) = client_alerts(history)
    assert alert.kind == "alliance_rupture"
    assert alert.explanation.startswith("At session 3 the caregiver rated the alliance 37")


def test_alliance_discrepancy_names_the_scale_with_the_largest_gap():
    history = rows(
        *wai(2, 12, 15, 16),
        *wai(2, 17, 17, 17, "practitioner", "wai-sr-t"),
    )
    (alert,) = client_alerts(history)
    assert (alert.kind, alert.session, alert.scale) == ("alliance_discrepancy", 2, "goal")
    assert "(17 out of 20) was well above the client's on the WAI-SR (12)" in alert.explanation
    assert "1.25 answer steps higher per item" in alert.explanation
    assert "1 or more raises this alert" in alert.explanation
    assert any("the goals of your work together" in s for s in alert.suggestions)


def test_alliance_discrepancy_is_not_raised_below_one_answer_step_or_the_usual_way_round():
    history = rows(
        *wai(1, 14, 15, 16),
        *wai(1, 17, 17, 17, "practitioner", "wai-sr-t"),  # gaps 0.75, 0.5, 0.25
        *wai(2, 18, 18, 18),
        *wai(2, 12, 12, 12, "practitioner", "wai-sr-t"),  # client higher
    )
    assert client_alerts(history) == []


def test_a_wai_sr_total_is_derived_from_its_parts_when_absent():
    history = rows(*wai(1, 11, 11, 11))
    (alert,) = client_alerts(history)
    assert "33 out of 60" in alert.explanation


def test_a_given_wai_sr_total_is_used_as_it_is():
    history = rows(*wai(1, 11, 11, 11), (1, "wai-sr", "client", "total", 40.0))
    assert client_alerts(history) == []


# -- outcome and risk alerts --------------------------------------------------------------


def test_reliable_deterioration_on_the_phq9_needs_6_points_worse_than_the_first_score():
    history = rows(*[(n, "phq9", "client", "total", v) for n, v in [(1, 10), (2, 15), (3, 16)]])
    (alert,) = of_kind(client_alerts(history), "reliable_deterioration")
    assert (alert.kind, alert.session, alert.scale) == ("reliable_deterioration", 3, "total")
    assert "PHQ-9 score was 16, against 10 at the first rating (session 1): 6 points worse" in (
        alert.explanation
    )
    assert "A change of 6 points or more" in alert.explanation


def test_reliable_deterioration_follows_the_direction_of_the_scale():
    # ORS: higher is better, reliable change 5.
    history = rows(*[(n, "ors", "client", "total", v) for n, v in [(1, 25), (2, 30), (3, 20)]])
    (alert,) = of_kind(client_alerts(history), "reliable_deterioration")
    assert (alert.kind, alert.session, alert.facts["change"]) == ("reliable_deterioration", 3, 5.0)
    improving = rows(*[(n, "ors", "client", "total", v) for n, v in [(1, 20), (2, 30)]])
    assert of_kind(client_alerts(improving), "reliable_deterioration") == []


def test_reliable_deterioration_is_raised_when_it_starts_not_at_every_session():
    scores = [(1, 8), (2, 15), (3, 16), (4, 10), (5, 18)]
    history = rows(*[(n, "phq9", "client", "total", v) for n, v in scores])
    assert [a.session for a in of_kind(client_alerts(history), "reliable_deterioration")] == [2, 5]


def test_risk_item_from_a_phq9_item_9_answer_above_0():
    history = rows((3, "phq9", "client", "phq9_9", 1), (4, "phq9", "client", "phq9_9", 0))
    (alert,) = client_alerts(history)
    assert (alert.kind, alert.session, alert.scale, alert.severity) == (
        "risk_item",
        3,
        "phq9_9",
        "urgent",
    )
    assert "answered 1 (on a 0-3 scale) to PHQ-9 item 9" in alert.explanation
    assert any("safety plan" in s for s in alert.suggestions)


def test_risk_item_from_the_flags_column_once_per_item_and_session():
    history = rows(
        (3, "phq9", "client", "total", 14),
        (3, "phq9", "client", "phq9_9", 2),
        (5, "core10", "client", "total", 20),
    ).assign(flags=["risk_self_harm", "", "risk_self_harm"])
    alerts = of_kind(client_alerts(history), "risk_item")
    assert [(a.session, a.instrument, a.scale) for a in alerts] == [
        (3, "phq9", "phq9_9"),
        (5, "core10", "core10_6"),
    ]
    assert "answered 2" in alerts[0].explanation
    assert "raised the risk flag on CORE-10 item 6" in alerts[1].explanation


# -- the engine as a whole ----------------------------------------------------------------


def mixed_history(client="c1"):
    return rows(
        *wai(1, 17, 17, 16),
        *wai(2, 17, 18, 17),
        *wai(3, 18, 17, 17),
        *wai(4, 16, 16, 11),
        *wai(5, 17, 17, 16),
        *wai(2, 18, 18, 18, "practitioner", "wai-sr-t"),
        *wai(4, 18, 18, 18, "practitioner", "wai-sr-t"),
        *srs(38.0, 35.0, 36.0, 34.0, 34.5, 39.0),
        *[(n, "phq9", "client", "total", v) for n, v in [(1, 12), (3, 15), (4, 18), (5, 11)]],
        (4, "phq9", "client", "phq9_9", 1),
        client=client,
    )


def test_alerts_are_ordered_by_session_then_kind():
    alerts = client_alerts(mixed_history())
    order = [(a.session, list(ALERT_KINDS).index(a.kind)) for a in alerts]
    assert order == sorted(order)
    kinds = {a.kind for a in alerts}
    assert {
        "alliance_rupture",
        "alliance_rupture_resolved",
        "alliance_discrepancy",
        "low_alliance",
        "reliable_deterioration",
        "risk_item",
    } <= kinds


def test_alerts_at_a_session_use_only_the_ratings_up_to_that_session():
    # Every kind but sudden gains and losses, whose third criterion looks up to three
    # sessions ahead (Tang & DeRubeis 1999).
    full = mixed_history()
    alerts = client_alerts(full, etr_models=[etr_model()])
    assert {"not_on_track", "dropout_risk"} <= {a.kind for a in alerts}
    for cut in range(1, 7):
        partial = client_alerts(full[full["session"] <= cut], etr_models=[etr_model()])
        assert partial == [a for a in alerts if a.session <= cut], f"cut at session {cut}"


def test_many_clients_at_once_give_the_alerts_of_each_client_alone():
    a, b = mixed_history("a"), rows(*srs(39.0, 30.0), client="b")
    together = alerts_for_frame(pd.concat([b, a], ignore_index=True).sample(frac=1, random_state=3))
    assert [x for x in together if x.client_id == "a"] == client_alerts(a)
    assert [x for x in together if x.client_id == "b"] == client_alerts(b)
    assert {x.client_id for x in together} == {"a", "b"}


@pytest.mark.parametrize(("outcome", "alliance"), [("phq9", "srs"), ("ors", "wai-sr")])
def test_simulated_practice_at_once_gives_the_alerts_of_each_client_alone(outcome, alliance):
    # The batch path uses the table functions of sudden_gains and dropout, the one-client
    # path their one-client functions: both must give the same alerts.
    columns = ["client_id", "session", "instrument", "respondent", "scale", "score", "attended"]
    history = simulate(40, outcome, alliance=alliance, seed=11, n_sessions=12)[columns]
    together = alerts_for_frame(history)
    kinds = {a.kind for a in together}
    assert {"dropout_risk", "alliance_rupture", "sudden_gain"} <= kinds
    alone = [a for _, one in history.groupby("client_id", sort=False) for a in client_alerts(one)]
    assert together == alone


def test_client_alerts_takes_a_history_without_client_id_column():
    history = rows(*srs(30.0)).drop(columns="client_id")
    (alert,) = client_alerts(history, client_id="k7")
    assert alert.client_id == "k7"


def test_client_alerts_refuses_two_clients():
    with pytest.raises(FeedbackError, match="one client's history; found 2 clients"):
        client_alerts(pd.concat([rows(*srs(30.0)), rows(*srs(30.0), client="c2")]))


def test_settings_change_the_rules():
    history = rows(*wai(1, 14, 14, 14))  # total 42
    assert client_alerts(history) == []
    settings = AllianceSettings(low_alliance={"wai-sr": 43.0})
    (alert,) = client_alerts(history, settings=settings)
    assert "concern level of 43 (the level set for this practice)" in alert.explanation


def test_alert_json_has_the_contract_keys():
    (alert,) = client_alerts(rows(*srs(30.0)))
    data = alert.to_json_dict()
    assert {"client_id", "session", "kind", "scale", "severity", "explanation"} <= set(data)
    assert isinstance(data["session"], int) and isinstance(data["suggestions"], list)


def test_alerts_are_frozen_values():
    (alert,) = client_alerts(rows(*srs(30.0)))
    assert isinstance(alert, Alert)
    with pytest.raises(AttributeError):
        alert.session = 2  # type: ignore[misc]


def test_missing_scores_are_skipped():
    history = rows(*srs(38.0, np.nan, 30.0))
    alerts = [a for a in client_alerts(history) if a.kind != "dropout_risk"]
    assert [(a.kind, a.session) for a in alerts] == [
        ("low_alliance", 3),
        ("alliance_rupture", 3),
    ]


# -- validation ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"instrument": "wai-xx"}, "row 2, column instrument: 'wai-xx'; expected one of"),
        ({"respondent": "parent"}, "row 2, column respondent: 'parent'; expected one of"),
        ({"scale": "trust"}, "row 2, column scale: 'trust' is not a scale of srs"),
        ({"score": 41.0}, "row 2, column score: 41 is outside the range of srs total (0 to 40)"),
        ({"session": 2.5}, "row 2, column session: '2.5'; expected a whole number"),
        ({"session": -1}, "row 2, column session: -1; expected a whole number from 0"),
        ({"client_id": ""}, "row 2, column client_id: empty"),
        (
            {"session": 1},
            "row 2, column scale: 'total' of srs (client) for client 'c1' at session 1",
        ),
    ],
)
def test_bad_rows_are_named_with_row_and_column(change, message):
    history = rows(*srs(38.0, 37.0, 36.0))
    for column, value in change.items():
        history[column] = history[column].astype(object)
        history.loc[1, column] = value
    with pytest.raises(FeedbackError) as caught:
        validate_history(history)
    assert message in str(caught.value)


def test_validate_history_returns_the_normalised_table():
    history = rows(*srs(38.0, 37.0)).assign(attended=["yes", "no"], flags=["", None])
    checked = validate_history(history)
    assert checked["session"].dtype == np.int64
    assert checked["attended"].tolist() == [True, False]
    assert checked["flags"].tolist() == ["", ""]


def test_a_missing_column_is_named():
    with pytest.raises(FeedbackError, match=r"lacks columns \['respondent'\]"):
        validate_history(rows(*srs(38.0)).drop(columns="respondent"))


def test_an_unknown_flag_is_named():
    history = rows(*srs(38.0)).assign(flags=["risk_self_harm"])
    with pytest.raises(FeedbackError, match="row 1, column flags: 'risk_self_harm' is not a"):
        validate_history(history)


def test_templates_use_only_format_fields_not_positional_braces():
    for key, text in texts.TEXTS.items():
        for template in (text.explanation, *text.suggestions):
            for _, name, _, _ in string.Formatter().parse(template):
                assert name is None or name.isidentifier(), key
