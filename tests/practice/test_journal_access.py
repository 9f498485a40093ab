"""The reflection journal is read only by its author, and by their supervisor for an entry
the author shared; every journal URL is walked as every other kind of user."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.urls import resolve, reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Assignment, Client
from alliance.practice.journal.models import JournalEntry
from tests.practice.conftest import login, make_user

SECRET = "I felt irritated when she cancelled again"


def make_entry(author, client: Client, **answers: str) -> JournalEntry:
    entry = JournalEntry(author=author, client=client)
    entry.set_answers(answers or {"felt": SECRET})
    entry.save()
    return entry


def supervise(supervisor, practitioner) -> None:
    """Make ``supervisor`` the supervisor of ``practitioner`` in their (one) organisation."""
    membership = practitioner.memberships.get()
    membership.supervisor = supervisor.memberships.get()
    membership.save()


@pytest.fixture
def supervisor(org, owner):
    user = make_user("supervisor", org, role=Membership.Role.SUPERVISOR)
    supervise(user, owner)
    return user


@pytest.fixture
def entry(owner, client_record):
    return make_entry(owner, client_record)


def entry_urls(entry: JournalEntry) -> list[tuple[str, str]]:
    pk = entry.pk
    return [
        ("get", reverse("journal:entry", args=[pk])),
        ("get", reverse("journal:edit", args=[pk])),
        ("post", reverse("journal:edit", args=[pk])),
        ("post", reverse("journal:share", args=[pk])),
        ("post", reverse("journal:unshare", args=[pk])),
        ("post", reverse("journal:delete", args=[pk])),
    ]


def client_urls(client: Client) -> list[tuple[str, str]]:
    return [
        ("get", reverse("journal:new", args=[client.pk])),
        ("post", reverse("journal:new", args=[client.pk])),
    ]


def every_url(entry: JournalEntry) -> list[tuple[str, str]]:
    return [*entry_urls(entry), *client_urls(entry.client), ("get", reverse("journal:shared"))]


ATTEMPT = {"felt": "written by someone else", "confirm": "yes", "session": ""}


def assert_untouched(entry: JournalEntry, shared_with=None) -> None:
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.ciphertext == entry.ciphertext
    assert stored.shared_with_id == (shared_with.pk if shared_with else None)
    assert JournalEntry.objects.count() == 1


def test_every_journal_url_is_walked_by_the_access_tests(entry):
    from alliance.practice.journal.urls import urlpatterns

    walked = {resolve(url).url_name for _, url in every_url(entry)}
    assert {p.name for p in urlpatterns} == walked, "add the new URL to every_url()"


def test_the_author_can_read_and_change_their_entry(client, owner, entry, supervisor):
    login(client, owner)
    for method, url in entry_urls(entry):
        response = getattr(client, method)(url, ATTEMPT)
        assert response.status_code == (200 if method == "get" else 302), url
    assert not JournalEntry.objects.filter(pk=entry.pk).exists()  # the last URL deletes it
    for method, url in client_urls(entry.client):
        response = getattr(client, method)(url, ATTEMPT)
        assert response.status_code == (200 if method == "get" else 302), url


@pytest.mark.parametrize(
    "who", ["colleague", "outsider", "lead", "administrator", "superuser", "supervisor"]
)
def test_nobody_else_reaches_an_unshared_entry(client, request, org, entry, supervisor, who):
    users = {
        "lead": lambda: make_user("lead", org, role=Membership.Role.LEAD),
        "administrator": lambda: make_user("admin", org, role=Membership.Role.ADMINISTRATOR),
        "superuser": lambda: get_user_model().objects.create_superuser("root", password="pw-root"),
    }
    user = users[who]() if who in users else request.getfixturevalue(who)
    login(client, user)
    for method, url in entry_urls(entry) + client_urls(entry.client):
        assert getattr(client, method)(url, ATTEMPT).status_code == 404, (who, method, url)
    page = client.get(reverse("journal:shared"))
    assert page.status_code == 200 and SECRET not in page.content.decode()
    assert reverse("journal:entry", args=[entry.pk]) not in page.content.decode()
    assert_untouched(entry)


def test_a_supervisor_reads_a_shared_entry_and_changes_nothing(client, entry, supervisor):
    entry.shared_with = supervisor
    entry.save()
    login(client, supervisor)
    for method, url in entry_urls(entry):
        response = getattr(client, method)(url, ATTEMPT)
        if resolve(url).url_name == "entry":
            assert response.status_code == 200
            assert SECRET in response.content.decode()
            assert "read-only" in response.content.decode()
            assert reverse("journal:edit", args=[entry.pk]) not in response.content.decode()
        else:
            assert response.status_code == 404, (method, url)
    for method, url in client_urls(entry.client):  # not their client to write about
        assert getattr(client, method)(url, ATTEMPT).status_code == 404
    listing = client.get(reverse("journal:shared")).content.decode()
    assert reverse("journal:entry", args=[entry.pk]) in listing
    assert_untouched(entry, shared_with=supervisor)


def test_an_entry_shared_with_a_lead_who_is_not_the_supervisor_stays_hidden(client, org, entry):
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    JournalEntry.objects.filter(pk=entry.pk).update(shared_with=lead)  # forged, not via a view
    login(client, lead)
    assert client.get(reverse("journal:entry", args=[entry.pk])).status_code == 404


def test_a_former_supervisor_loses_the_shared_entry(client, owner, entry, supervisor):
    entry.shared_with = supervisor
    entry.save()
    membership = owner.memberships.get()
    membership.supervisor = None
    membership.save()
    login(client, supervisor)
    assert client.get(reverse("journal:entry", args=[entry.pk])).status_code == 404
    listing = client.get(reverse("journal:shared")).content.decode()
    assert reverse("journal:entry", args=[entry.pk]) not in listing


def test_an_author_no_longer_assigned_to_the_client_loses_access(client, owner, entry):
    Assignment.objects.filter(client=entry.client, practitioner=owner).delete()
    login(client, owner)
    for method, url in entry_urls(entry) + client_urls(entry.client):
        assert getattr(client, method)(url, ATTEMPT).status_code == 404, url
    assert_untouched(entry)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, entry):
    for method, url in every_url(entry):
        response = getattr(client, method)(url, ATTEMPT)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")
    assert_untouched(entry)
