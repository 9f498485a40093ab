"""Writing, editing, sharing and deleting journal entries, and the journal panel of the client
page (with the suggestion when the practitioner rates the alliance well above the client)."""

from __future__ import annotations

import html
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from alliance.measures import score
from alliance.practice.accounts.models import Membership
from alliance.practice.collect.submit import store_response
from alliance.practice.dashboard.feedback import refresh_client_alerts
from alliance.practice.dashboard.models import Alert
from alliance.practice.journal.models import JournalEntry
from alliance.practice.journal.prompts import MAX_CHARS, PROMPTS
from tests.practice.conftest import login, make_client, make_user
from tests.practice.test_journal_access import SECRET, make_entry, supervise


@pytest.fixture
def supervisor(org, owner):
    user = make_user("supervisor", org, role=Membership.Role.SUPERVISOR)
    supervise(user, owner)
    return user


def client_page(django_client, client_record) -> str:
    response = django_client.get(reverse("dashboard:client", args=[client_record.pk]))
    assert response.status_code == 200
    return response.content.decode()


# -- writing and editing ------------------------------------------------------------------


def test_an_entry_is_written_about_a_session_and_read_back(client, owner, client_record):
    session = client_record.episodes.get().sessions.get(number=2)
    login(client, owner)
    form = client.get(reverse("journal:new", args=[client_record.pk]) + f"?session={session.pk}")
    for prompt in PROMPTS:
        assert prompt.question in form.content.decode()
    assert f'value="{session.pk}" selected' in form.content.decode()
    response = client.post(
        reverse("journal:new", args=[client_record.pk]),
        {"session": session.pk, "felt": SECRET, "for_supervision": "Cancellations"},
    )
    entry = JournalEntry.objects.get()
    assert response["Location"] == reverse("journal:entry", args=[entry.pk])
    assert (entry.author, entry.client, entry.session) == (owner, client_record, session)
    assert entry.answers == {"felt": SECRET, "for_supervision": "Cancellations"}
    page = client.get(response["Location"]).content.decode()
    assert SECRET in page and "session 2" in page
    assert "What will I take to supervision?" in page
    assert "How did it show in what I did?" not in page  # unanswered prompts are left out


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"felt": "  "}, "at least one of the fields"),
        ({"felt": "x" * (MAX_CHARS + 1)}, f"felt: at most {MAX_CHARS} characters"),
        ({"felt": "ok", "session": "abc"}, "session: choose one of this client's sessions"),
    ],
)
def test_a_bad_entry_is_refused_with_400_naming_the_field(
    client, owner, client_record, data, message
):
    login(client, owner)
    response = client.post(reverse("journal:new", args=[client_record.pk]), data)
    assert response.status_code == 400
    assert message in html.unescape(response.content.decode())
    assert not JournalEntry.objects.exists()


def test_a_session_of_another_client_is_refused(client, org, owner, client_record):
    other = make_client(org, owner, "C002")
    session = other.episodes.get().sessions.first()
    login(client, owner)
    response = client.post(
        reverse("journal:new", args=[client_record.pk]), {"felt": "x", "session": session.pk}
    )
    assert response.status_code == 400 and "session:" in response.content.decode()
    assert not JournalEntry.objects.exists()


def test_editing_replaces_the_answers_and_keeps_what_was_typed_on_a_bad_post(
    client, owner, client_record
):
    entry = make_entry(owner, client_record, felt="first thoughts")
    login(client, owner)
    url = reverse("journal:edit", args=[entry.pk])
    assert "first thoughts" in client.get(url).content.decode()
    bad = client.post(url, {"in_my_work": "y" * (MAX_CHARS + 1), "felt": "kept"})
    assert bad.status_code == 400 and "kept" in bad.content.decode()
    assert client.post(url, {"in_my_work": "I rushed the ending"}).status_code == 302
    entry.refresh_from_db()
    assert JournalEntry.objects.get(pk=entry.pk).answers == {"in_my_work": "I rushed the ending"}


def test_deleting_needs_a_confirmation(client, owner, client_record):
    entry = make_entry(owner, client_record)
    login(client, owner)
    url = reverse("journal:delete", args=[entry.pk])
    assert client.post(url).status_code == 400
    assert JournalEntry.objects.filter(pk=entry.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response["Location"] == reverse("dashboard:client", args=[client_record.pk])
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()


# -- sharing with the supervisor ----------------------------------------------------------


def test_an_author_shares_one_entry_with_their_supervisor_and_can_take_it_back(
    client, owner, client_record, supervisor
):
    shared, private = make_entry(owner, client_record), make_entry(owner, client_record)
    login(client, owner)
    page = client.get(reverse("journal:entry", args=[shared.pk])).content.decode()
    assert "Share this entry with supervisor" in page
    client.post(reverse("journal:share", args=[shared.pk]))
    shared.refresh_from_db()
    private.refresh_from_db()
    assert shared.shared_with == supervisor and shared.shared_at is not None
    assert private.shared_with is None
    client.post(reverse("journal:unshare", args=[shared.pk]))
    shared.refresh_from_db()
    assert shared.shared_with is None and shared.shared_at is None


def test_sharing_without_a_supervisor_is_refused(client, org, owner, client_record):
    entry = make_entry(owner, client_record)
    not_a_supervisor = make_user("peer", org)  # a practitioner recorded as supervisor
    supervise(not_a_supervisor, owner)
    login(client, owner)
    assert (
        "no supervisor recorded"
        in client.get(reverse("journal:entry", args=[entry.pk])).content.decode()
    )
    response = client.post(reverse("journal:share", args=[entry.pk]))
    assert response.status_code == 400 and "share:" in response.content.decode()
    entry.refresh_from_db()
    assert entry.shared_with is None


# -- the panel on the client page ---------------------------------------------------------


def test_the_panel_lists_the_authors_entries_without_their_text(client, owner, client_record):
    entry = make_entry(owner, client_record)
    login(client, owner)
    page = client_page(client, client_record)
    assert "Reflection journal" in page
    assert reverse("journal:entry", args=[entry.pk]) in page
    assert reverse("journal:new", args=[client_record.pk]) in page
    assert SECRET not in page  # the client page may be on screen in the room


@pytest.mark.parametrize("role", [Membership.Role.LEAD, Membership.Role.SUPERVISOR])
def test_others_who_see_the_client_see_no_journal_at_all(client, org, owner, client_record, role):
    viewer = make_user("viewer", org, role=role)
    if role == Membership.Role.SUPERVISOR:
        supervise(viewer, owner)
    entry = make_entry(owner, client_record)
    login(client, viewer)
    page = client_page(client, client_record)
    assert "Reflection journal" not in page
    assert reverse("journal:entry", args=[entry.pk]) not in page


def test_a_supervisor_sees_only_the_shared_entry_in_the_panel(
    client, owner, client_record, supervisor
):
    shared, private = make_entry(owner, client_record), make_entry(owner, client_record)
    shared.shared_with, shared.shared_at = supervisor, timezone.now()
    shared.save()
    login(client, supervisor)
    page = client_page(client, client_record)
    assert "Shared with you" in page
    assert reverse("journal:entry", args=[shared.pk]) in page
    assert reverse("journal:entry", args=[private.pk]) not in page
    assert reverse("journal:new", args=[client_record.pk]) not in page


def rate_alliance(client_record, client_item: int, practitioner_item: int, session: int) -> None:
    """A WAI-SR from the client and a WAI-SR-T from the practitioner at the same session."""
    episode = client_record.episodes.get()
    at = episode.sessions.get(number=session)
    for instrument_id, respondent, prefix, value in (
        ("wai-sr", "client", "wai_sr", client_item),
        ("wai-sr-t", "practitioner", "wai_sr_t", practitioner_item),
    ):
        answers = {f"{prefix}_{n}": value for n in range(1, 13)}
        store_response(
            score(instrument_id, answers),
            client=client_record,
            episode=episode,
            session=at,
            respondent=respondent,
            submission_id=uuid.uuid4(),
        )
    refresh_client_alerts(client_record)


def test_a_much_higher_practitioner_rating_suggests_a_journal_entry(
    client, owner, client_record, org
):
    rate_alliance(client_record, client_item=2, practitioner_item=5, session=2)
    alert = Alert.objects.get(client=client_record, kind="alliance_discrepancy")
    session = client_record.episodes.get().sessions.get(number=2)
    login(client, owner)
    page = client_page(client, client_record)
    assert "You rate the alliance well above the client" in page
    for prompt in PROMPTS:
        assert prompt.question in page
    assert reverse("journal:new", args=[client_record.pk]) + f"?session={session.pk}" in page
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    login(client, lead)
    assert "What did I feel in the session?" not in client_page(client, client_record)
    alert.acknowledged_at = timezone.now()
    alert.save()
    login(client, owner)
    page = client_page(client, client_record)
    assert "What did I feel in the session?" not in page  # the alert was dealt with
    assert reverse("journal:new", args=[client_record.pk]) in page  # writing stays possible


def test_agreeing_ratings_suggest_nothing(client, owner, client_record):
    rate_alliance(client_record, client_item=4, practitioner_item=4, session=2)
    assert not Alert.objects.filter(kind="alliance_discrepancy").exists()
    login(client, owner)
    assert "What did I feel in the session?" not in client_page(client, client_record)
