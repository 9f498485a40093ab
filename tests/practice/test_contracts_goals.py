"""Goals tracked over sessions: five described levels per goal, ratings at review points stored
as scored ``gas`` responses (Kiresuk-Sherman T-score by ``alliance.measures.score``), 0-10
progress per session, and the goal list page.

Source of the T-score: Kiresuk TJ, Sherman RE (1968) Goal attainment scaling: a general method
for evaluating comprehensive community mental health programs, Community Mental Health Journal
4(6):443-453: T = 50 + 10 * sum(w_i x_i) / sqrt((1 - rho) * sum(w_i^2) + rho * (sum w_i)^2),
with rho, the assumed correlation between goal scales, 0.30 (as corrected in the erratum to
Turner-Stokes L (2009) Clinical Rehabilitation 23(4):362-370).  The worked example below is
done by hand from that formula, with rho read from the instrument definition.
"""

import math
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from alliance.measures import get_instrument, score
from alliance.practice.collect.models import Response
from alliance.practice.contracts.models import Goal, GoalRating
from alliance.practice.contracts.progress import goal_progress
from alliance.practice.contracts.versions import GoalText, Terms, save_terms, terms_of
from tests.practice.conftest import login, make_client

LEVELS = {
    "level_minus2": "Awake most of every night",
    "level_minus1": "Awake several hours most nights",
    "level_0": "Sleeping about six hours most nights",
    "level_plus1": "Sleeping about seven hours most nights",
    "level_plus2": "Sleeping through, and waking rested",
}


def contract_with_goals(client, owner, texts) -> list[Goal]:
    version = save_terms(
        client.episodes.get(), Terms(goals=tuple(GoalText(None, t) for t in texts)), by=owner
    )
    return [Goal.objects.get(pk=g["id"]) for g in version.goals]


def describe_levels(django_client, client, goal) -> None:
    url = reverse("contracts:gas_levels", args=[client.pk, goal.pk])
    assert django_client.post(url, LEVELS).status_code == 302


def rate(django_client, client, session: int, ratings: dict[str, int]) -> None:
    data = {"session": str(session), "submission_id": str(uuid.uuid4())}
    data.update({k: str(v) for k, v in ratings.items()})
    response = django_client.post(reverse("contracts:review", args=[client.pk]), data)
    assert response.status_code == 302, response.content.decode()


def test_describing_levels_gives_each_goal_its_own_gas_item(client, owner, client_record):
    goals = contract_with_goals(client_record, owner, ["Sleep better", "See friends", "Walk"])
    login(client, owner)
    for goal in (goals[0], goals[2]):
        describe_levels(client, client_record, goal)
    items = {g.text: g.gas_item for g in Goal.objects.all()}
    assert items == {"Sleep better": "gas_1", "See friends": "", "Walk": "gas_2"}
    assert Goal.objects.get(pk=goals[0].pk).level_plus2 == "Sleeping through, and waking rested"


def test_a_removed_goal_keeps_its_gas_item_so_it_is_never_reused(client, owner, client_record):
    first, second = contract_with_goals(client_record, owner, ["Sleep better", "See friends"])
    login(client, owner)
    describe_levels(client, client_record, first)
    version = client_record.episodes.get().contract.versions.get()
    keep = GoalText(second.pk, second.text)
    save_terms(
        client_record.episodes.get(),
        Terms(**{**terms_of(version).__dict__, "goals": (keep, GoalText(None, "Walk"))}),
    )
    walk = Goal.objects.get(text="Walk")
    describe_levels(client, client_record, walk)
    walk.refresh_from_db()
    assert walk.gas_item == "gas_2"
    rows = goal_progress(client_record.episodes.get()).rows  # current goals first
    assert [(r.goal.text, r.goal.is_active) for r in rows] == [
        ("See friends", True),
        ("Walk", True),
        ("Sleep better", False),
    ]


def test_all_five_levels_are_needed(client, owner, client_record):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    url = reverse("contracts:gas_levels", args=[client_record.pk, goal.pk])
    response = client.post(url, {**LEVELS, "level_minus1": " "})
    assert response.status_code == 400
    assert "level_minus1: describe level -1" in response.content.decode()
    goal.refresh_from_db()
    assert goal.gas_item == ""


def test_a_review_stores_one_scored_gas_response_equal_to_measures_score(
    client, owner, client_record
):
    goals = contract_with_goals(client_record, owner, ["Sleep better", "See friends", "Walk"])
    login(client, owner)
    for goal in goals:
        describe_levels(client, client_record, goal)
    levels = {goals[0].pk: 2, goals[1].pk: -1, goals[2].pk: 1}
    rate(client, client_record, 3, {f"gas_{pk}": v for pk, v in levels.items()})
    stored = Response.objects.get()
    assert stored.instrument_id == "gas" and stored.session.number == 3
    assert stored.source == "in_session" and stored.entered_by == owner
    assert stored.answers == {"gas_1": 2, "gas_2": -1, "gas_3": 1}
    expected = score("gas", {"gas_1": 2, "gas_2": -1, "gas_3": 1}).scores["total"]
    assert stored.scale_scores.get(scale_id="total").value == pytest.approx(expected, abs=1e-9)
    progress = goal_progress(client_record.episodes.get())
    assert progress.latest_review.t_score == pytest.approx(expected, abs=1e-9)
    page = client.get(reverse("contracts:goals", args=[client_record.pk])).content.decode()
    assert f"{expected:.1f}" in page


def test_the_t_score_follows_a_worked_example_of_the_kiresuk_sherman_formula(
    client, owner, client_record
):
    # Five unweighted goals rated +1, +1, 0, -1, +2 at the review:
    # sum(x) = 3; sum(w^2) = 5; (sum w)^2 = 25; rho = 0.30 (the instrument's value)
    # T = 50 + 10 * 3 / sqrt(0.7 * 5 + 0.3 * 25) = 50 + 30 / sqrt(11) = 59.045340
    rho = get_instrument("gas").scale_index["total"].inter_goal_correlation
    assert rho == 0.3
    by_hand = 50 + 10 * 3 / math.sqrt((1 - rho) * 5 + rho * 5**2)
    assert by_hand == pytest.approx(59.045340, abs=1e-6)
    goals = contract_with_goals(client_record, owner, [f"Goal {n}" for n in range(1, 6)])
    login(client, owner)
    for goal in goals:
        describe_levels(client, client_record, goal)
    rate(
        client,
        client_record,
        2,
        {f"gas_{g.pk}": v for g, v in zip(goals, [1, 1, 0, -1, 2], strict=True)},
    )
    stored = Response.objects.get().scale_scores.get(scale_id="total")
    assert stored.value == pytest.approx(59.045340, abs=1e-6)
    assert stored.band == "as expected or better"


def test_an_unrated_goal_is_left_out_of_the_t_score(client, owner, client_record):
    goals = contract_with_goals(client_record, owner, ["A", "B", "C"])
    login(client, owner)
    for goal in goals:
        describe_levels(client, client_record, goal)
    rate(client, client_record, 1, {f"gas_{goals[0].pk}": -1, f"gas_{goals[2].pk}": -1})
    # two goals at -1: 50 - 20 / sqrt(0.7 * 2 + 0.3 * 4) = 50 - 20 / sqrt(2.6) = 37.596527
    total = Response.objects.get().scale_scores.get(scale_id="total")
    assert total.value == pytest.approx(37.596527, abs=1e-6)
    assert total.band == "below expected"


def test_a_retried_review_stores_one_response(client, owner, client_record):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    describe_levels(client, client_record, goal)
    data = {"session": "2", "submission_id": str(uuid.uuid4()), f"gas_{goal.pk}": "1"}
    url = reverse("contracts:review", args=[client_record.pk])
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302
    assert Response.objects.count() == 1


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("gas", "3", "gas_{pk}: 3 is not allowed; expected a whole number -2 to 2"),
        ("progress", "11", "progress_{pk}: 11 is not allowed; expected a whole number 0 to 10"),
        ("progress", "lots", "progress_{pk}: 'lots' is not a whole number"),
        ("session", "99", "session: choose one of this episode's sessions (1, 2, 3)"),
    ],
)
def test_bad_ratings_are_refused_with_400_naming_the_field(
    client, owner, client_record, field, value, message
):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    describe_levels(client, client_record, goal)
    data = {"session": "1", "submission_id": str(uuid.uuid4()), f"progress_{goal.pk}": "4"}
    data["session" if field == "session" else f"{field}_{goal.pk}"] = value
    response = client.post(reverse("contracts:review", args=[client_record.pk]), data)
    assert response.status_code == 400
    text = response.content.decode().replace("&#x27;", "'")
    assert message.format(pk=goal.pk) in text
    assert not GoalRating.objects.exists() and not Response.objects.exists()


def test_a_goal_without_levels_cannot_get_a_gas_level(client, owner, client_record):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    data = {"session": "1", "submission_id": str(uuid.uuid4()), f"gas_{goal.pk}": "0"}
    response = client.post(reverse("contracts:review", args=[client_record.pk]), data)
    assert response.status_code == 400
    assert f"gas_{goal.pk}: this goal has no described levels yet" in response.content.decode()


def test_progress_ratings_follow_a_goal_when_it_is_reworded(client, owner, client_record):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    rate(client, client_record, 1, {f"progress_{goal.pk}": 2})
    version = client_record.episodes.get().contract.versions.get()
    reworded = Terms(**{**terms_of(version).__dict__, "goals": (GoalText(goal.pk, "Sleep 7h"),)})
    save_terms(client_record.episodes.get(), reworded, by=owner)
    rate(client, client_record, 3, {f"progress_{goal.pk}": 6})
    rate(client, client_record, 3, {f"progress_{goal.pk}": 7})  # re-rated: replaces the 6
    (row,) = goal_progress(client_record.episodes.get()).rows
    assert row.goal.text == "Sleep 7h" and row.progress == {1: 2, 3: 7}
    page = client.get(reverse("contracts:goals", args=[client_record.pk])).content.decode()
    assert "s1: 2" in page and "s3: 7" in page and "<svg" in page


def test_gas_ratings_show_on_the_client_page_like_any_measure(client, owner, client_record):
    (goal,) = contract_with_goals(client_record, owner, ["Sleep better"])
    login(client, owner)
    describe_levels(client, client_record, goal)
    rate(client, client_record, 2, {f"gas_{goal.pk}": 1})
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "Goal Attainment Scaling" in page  # the course chart of the gas instrument
    assert "Goal attainment T-score 60.0 at session 2" in page  # the contract panel


def populate(client, owner, n_goals: int, n_sessions: int) -> None:
    goals = contract_with_goals(client, owner, [f"goal {k}" for k in range(n_goals)])
    episode = client.episodes.get()
    for k, goal in enumerate(goals[: min(n_goals, 10)]):
        goal.gas_item = f"gas_{k + 1}"
        goal.save()
    for session in episode.sessions.all():
        GoalRating.objects.bulk_create(
            GoalRating(goal=g, session=session, progress=(session.number + k) % 11)
            for k, g in enumerate(goals)
        )
        answers = {g.gas_item: (session.number + k) % 5 - 2 for k, g in enumerate(goals)}
        from alliance.practice.collect.submit import store_response

        store_response(
            score("gas", answers),
            client=client,
            episode=episode,
            session=session,
            respondent="client",
            submission_id=uuid.uuid4(),
        )
    assert episode.sessions.count() == n_sessions


def count_queries(django_client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = django_client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_goal_list_query_count_does_not_grow_with_goals_and_sessions(client, org, owner):
    small = make_client(org, owner, "G001", sessions=2)
    large = make_client(org, owner, "G002", sessions=15)
    populate(small, owner, 1, 2)
    populate(large, owner, 10, 15)
    login(client, owner)
    url = lambda c: reverse("contracts:goals", args=[c.pk])  # noqa: E731
    assert count_queries(client, url(small)) == count_queries(client, url(large))
    assert len(goal_progress(large.episodes.get()).reviews) == 15
