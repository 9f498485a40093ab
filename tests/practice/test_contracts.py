"""The contract of an episode: versions, what changed, and research consent on the client."""

from datetime import date, timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.practice.care.models import ResearchConsent
from alliance.practice.contracts.diff import Segment, goal_changes, word_diff
from alliance.practice.contracts.models import Contract, ContractVersion, Goal
from alliance.practice.contracts.versions import GoalText, Terms, save_terms, terms_of
from tests.practice.conftest import login


def first_terms(**changes) -> Terms:
    base = Terms(
        goals=(GoalText(None, "Sleep through the night"), GoalText(None, "Go back to choir")),
        tasks="Talk, and try small experiments between sessions",
        expected_sessions=12,
        measurement_consent=True,
        measurement_consent_date=date(2026, 1, 5),
    )
    return Terms(**{**base.__dict__, **changes})


def form_data(version: ContractVersion | None = None, **changes) -> dict[str, str]:
    """The posted contract form, as the edit page fills it for ``version``."""
    data = {
        "tasks": "Talk, and try small experiments between sessions",
        "session_frequency": "weekly",
        "expected_sessions": "12",
        "feedback_plan": "We look at your answers together.",
        "measurement_consent": "yes",
        "measurement_consent_date": "2026-01-05",
        "research_consent": "none",
        "research_consent_date": "",
    }
    if version is None:
        data["new_goal"] = ["Sleep through the night", "Go back to choir"]
    else:
        terms = terms_of(version)
        for goal in terms.goals:
            data[f"goal_{goal.goal_id}"] = goal.text
        data["feedback_plan"] = terms.feedback_plan
        data["research_consent_date"] = str(terms.research_consent_date or "")
    data.update(changes)
    return data


def test_a_first_save_creates_version_1_with_its_goals_as_rows(client_record, owner):
    episode = client_record.episodes.get()
    version = save_terms(episode, first_terms(), by=owner)
    assert version.number == 1 and version.created_by == owner and not version.from_client
    goals = list(Goal.objects.filter(contract__episode=episode))
    assert [g.text for g in goals] == ["Sleep through the night", "Go back to choir"]
    assert version.goals == [{"id": g.pk, "text": g.text} for g in goals]
    assert version.practitioner_agreed_at is not None and version.client_agreed_at is None


def test_a_changed_contract_becomes_a_new_version_and_the_old_one_stays(client_record, owner):
    episode = client_record.episodes.get()
    v1 = save_terms(episode, first_terms(), by=owner)
    sleep, choir = v1.goals
    changed = first_terms(
        goals=(GoalText(sleep["id"], "Sleep six hours most nights"), GoalText(None, "Walk")),
        session_frequency="fortnightly",
    )
    v2 = save_terms(episode, changed, by=owner, reason="Renegotiated at session 4")
    assert v2.number == 2
    v1.refresh_from_db()
    assert [g["text"] for g in v1.goals] == ["Sleep through the night", "Go back to choir"]
    assert v1.session_frequency == "weekly" and v2.session_frequency == "fortnightly"
    reworded = Goal.objects.get(pk=sleep["id"])
    assert reworded.text == "Sleep six hours most nights" and reworded.is_active
    assert Goal.objects.get(pk=choir["id"]).removed_in_version == 2
    assert Contract.objects.get().versions.count() == 2


def test_saving_an_unchanged_contract_stores_no_new_version(client_record, owner):
    episode = client_record.episodes.get()
    v1 = save_terms(episode, first_terms(), by=owner)
    assert save_terms(episode, terms_of(v1), by=owner) is None
    assert ContractVersion.objects.count() == 1


def test_the_edit_page_saves_a_change_and_ignores_an_unchanged_save(client, owner, client_record):
    login(client, owner)
    url = reverse("contracts:edit", args=[client_record.pk])
    assert client.get(url).status_code == 200
    assert client.post(url, form_data()).status_code == 302
    v1 = ContractVersion.objects.get()
    assert client.post(url, form_data(v1)).status_code == 302
    assert ContractVersion.objects.count() == 1
    page = client.get(reverse("contracts:contract", args=[client_record.pk])).content.decode()
    assert "No changes: nothing saved." in page
    assert client.post(url, form_data(v1, expected_sessions="16")).status_code == 302
    v2 = ContractVersion.objects.get(number=2)
    assert v2.expected_sessions == 16 and v2.created_by == owner
    page = client.get(reverse("contracts:contract", args=[client_record.pk])).content.decode()
    assert "Saved as version 2." in page
    assert "<del>12</del><ins>16</ins>" in page  # the history shows what changed


def test_the_history_shows_a_reworded_goal_word_by_word(client, owner, client_record):
    episode = client_record.episodes.get()
    v1 = save_terms(episode, first_terms(), by=owner)
    sleep, choir = (GoalText(g["id"], g["text"]) for g in v1.goals)
    save_terms(
        episode, first_terms(goals=(GoalText(sleep.goal_id, "Sleep through most nights"), choir))
    )
    login(client, owner)
    page = client.get(reverse("contracts:contract", args=[client_record.pk])).content.decode()
    reworded = "Sleep through <del>the</del><ins>most</ins> <del>night</del><ins>nights</ins>"
    assert f"Goal reworded: {reworded}" in page


def test_word_diff_marks_deleted_and_inserted_words():
    segments = word_diff("see friends weekly", "see two friends weekly")
    assert "".join(s.text for s in segments if s.op != "ins") == "see friends weekly"
    assert "".join(s.text for s in segments if s.op != "del") == "see two friends weekly"
    assert [s.text.strip() for s in segments if s.op != "same"] == ["two"]
    assert word_diff("a b", "a c") == (
        Segment("same", "a "),
        Segment("del", "b"),
        Segment("ins", "c"),
    )
    changes = goal_changes([{"id": 1, "text": "a"}], [{"id": 2, "text": "b"}])
    assert [(c.kind, c.old, c.new) for c in changes] == [("added", "", "b"), ("removed", "a", "")]


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "expected_sessions",
            "0",
            "expected_sessions: 0 is not allowed; expected a whole number 1 to 200",
        ),
        ("session_frequency", "daily", "session_frequency: 'daily' is not allowed"),
        ("measurement_consent", "maybe", "measurement_consent: expected yes or no"),
        ("research_consent", "all", "research_consent: 'all' is not allowed"),
        ("research_consent_date", "5 May", "research_consent_date: '5 May' is not a date"),
        ("new_goal", [""], "goals: write at least one goal"),
        ("goal_99999", "a goal of someone else", "goal_99999: not a current goal"),
    ],
)
def test_bad_contract_input_is_refused_with_400_naming_the_field(
    client, owner, client_record, field, value, message
):
    login(client, owner)
    url = reverse("contracts:edit", args=[client_record.pk])
    response = client.post(url, form_data(**{field: value}))
    assert response.status_code == 400
    assert message in response.content.decode().replace("&#x27;", "'")
    assert ContractVersion.objects.count() == 0


def test_a_future_consent_date_is_refused(client, owner, client_record):
    login(client, owner)
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = client.post(
        reverse("contracts:edit", args=[client_record.pk]),
        form_data(measurement_consent_date=tomorrow),
    )
    assert response.status_code == 400
    assert "measurement_consent_date:" in response.content.decode()


def test_research_consent_given_in_the_contract_is_recorded_on_the_client(client_record, owner):
    episode = client_record.episodes.get()
    given = date(2026, 2, 1)
    save_terms(
        episode,
        first_terms(research_consent=ResearchConsent.DEIDENTIFIED, research_consent_date=given),
        by=owner,
    )
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == ResearchConsent.DEIDENTIFIED
    assert client_record.research_consent_date == given


def test_changing_research_consent_updates_the_client_and_dates_it_today(
    client, owner, client_record
):
    login(client, owner)
    url = reverse("contracts:edit", args=[client_record.pk])
    client.post(
        url, form_data(research_consent="process_studies", research_consent_date="2026-01-10")
    )
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == "process_studies"
    assert client_record.research_consent_date == date(2026, 1, 10)
    v1 = ContractVersion.objects.get()
    client.post(url, form_data(v1, research_consent="none", research_consent_date=""))
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == "none"
    assert client_record.research_consent_date == timezone.localdate()
    assert ContractVersion.objects.get(number=2).research_consent == "none"


def test_a_renegotiation_that_repeats_the_consent_leaves_a_later_withdrawal_alone(
    client_record, owner
):
    episode = client_record.episodes.get()
    v1 = save_terms(
        episode,
        first_terms(research_consent="deidentified", research_consent_date=date(2026, 1, 2)),
        by=owner,
    )
    # withdrawn elsewhere (e.g. by the research workbench) after the contract was agreed
    client_record.research_consent_scope = "none"
    client_record.research_consent_date = date(2026, 3, 1)
    client_record.save()
    save_terms(episode, Terms(**{**terms_of(v1).__dict__, "expected_sessions": 20}), by=owner)
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == "none"
    assert client_record.research_consent_date == date(2026, 3, 1)


def test_measurement_consent_keeps_its_date_while_unchanged(client, owner, client_record):
    login(client, owner)
    url = reverse("contracts:edit", args=[client_record.pk])
    client.post(url, form_data(measurement_consent_date=""))
    v1 = ContractVersion.objects.get()
    assert v1.measurement_consent and v1.measurement_consent_date == timezone.localdate()
    client.post(url, form_data(v1, measurement_consent_date="", tasks="Walk and talk"))
    v2 = ContractVersion.objects.get(number=2)
    assert v2.measurement_consent_date == v1.measurement_consent_date


def test_the_practitioner_records_that_the_client_agreed_in_session(client, owner, client_record):
    v1 = save_terms(client_record.episodes.get(), first_terms(), by=owner)
    login(client, owner)
    url = reverse("contracts:agree", args=[client_record.pk])
    assert client.post(url, {"version": "1", "side": "client"}).status_code == 302
    v1.refresh_from_db()
    assert v1.client_agreed_at is not None
    assert client.post(url, {"version": "7", "side": "client"}).status_code == 409
    bad = client.post(url, {"version": "1", "side": "supervisor"})
    assert bad.status_code == 400 and "side:" in bad.content.decode()


def test_the_client_page_shows_the_current_contract(client, owner, client_record):
    save_terms(client_record.episodes.get(), first_terms(), by=owner)
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert 'id="contract-panel"' in page
    assert "Contract version 1" in page and "Go back to choir" in page
