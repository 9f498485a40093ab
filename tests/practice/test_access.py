"""Privacy: a practitioner sees only their own clients; every client URL is walked as outsiders."""

import pytest
from django.urls import resolve, reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Client
from alliance.practice.care.scoping import visible_clients
from alliance.practice.collect.models import Response
from alliance.practice.dashboard.models import Alert
from tests.practice.conftest import login, make_client, make_user


def client_alert(client: Client) -> Alert:
    """An open alert of the client (created once), for the URLs that act on an alert."""
    alert, _ = Alert.objects.get_or_create(
        client=client,
        episode=client.episodes.first(),
        kind="low_alliance",
        instrument_id="srs",
        scale="total",
        session=1,
        defaults={"severity": "warning", "explanation": "SRS 30 below 36."},
    )
    return alert


def client_scoped_urls(client: Client) -> list[tuple[str, str]]:
    """Every URL that shows or changes one client's data (or an alert about the client),
    with its method."""
    pk = client.pk
    return [
        ("get", reverse("dashboard:client", args=[pk])),
        ("get", reverse("dashboard:in_session", args=[pk])),
        ("post", reverse("dashboard:invite", args=[pk])),
        ("get", reverse("dashboard:enter_response", args=[pk, "phq9"])),
        ("post", reverse("dashboard:enter_response", args=[pk, "phq9"])),
        ("post", reverse("dashboard:add_session", args=[pk])),
        ("post", reverse("dashboard:client_view_settings", args=[pk])),
        ("post", reverse("dashboard:acknowledge_alert", args=[client_alert(client).pk])),
    ]


def test_the_list_of_client_urls_covers_every_client_route(client_record):
    """Every dashboard route with a primary key in its path (a client's, or an alert's,
    whose client decides who may use it) is walked by the tests below."""
    from alliance.practice.dashboard.urls import urlpatterns

    routes = {p.name for p in urlpatterns if "<int:pk>" in str(p.pattern)}
    walked = {resolve(url).url_name for _, url in client_scoped_urls(client_record)}
    assert routes == walked, "a new client URL must be added to client_scoped_urls"


def test_the_owner_sees_the_client(client, owner, client_record):
    login(client, owner)
    for method, url in client_scoped_urls(client_record):
        if method == "get":
            assert client.get(url).status_code == 200, url


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_it_hides_clients_of_other_practitioners_with_404(client, request, client_record, who):
    login(client, request.getfixturevalue(who))
    for method, url in client_scoped_urls(client_record):
        data = {
            "instrument": "phq9",
            "respondent": "client",
            "date": "2026-11-20",
            "note": "looked at someone else's client",
        }
        response = getattr(client, method)(url, data)
        assert response.status_code == 404, (who, url)
    assert Response.objects.count() == 0
    assert client_record.invitations.count() == 0
    assert client_record.episodes.get().sessions.count() == 3
    alert = client_alert(client_record)
    assert alert.acknowledged_at is None and alert.action_note == ""


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, client_record):
    for method, url in [
        ("get", reverse("dashboard:caseload")),
        ("get", reverse("dashboard:alerts")),
        *client_scoped_urls(client_record),
    ]:
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_caseload_lists_only_own_clients(client, org, owner, colleague, client_record):
    make_client(org, colleague, "C999")
    login(client, owner)
    page = client.get(reverse("dashboard:caseload")).content.decode()
    assert "C001" in page
    assert "C999" not in page


def test_a_clinical_lead_sees_every_client_of_the_organisation_only(org, other_org, owner):
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    make_client(org, owner, "C001")
    make_client(other_org, make_user("far", other_org), "X001")
    assert [c.code for c in visible_clients(lead)] == ["C001"]


def test_a_supervisor_sees_the_clients_of_their_supervisees(org, owner, colleague):
    supervisor = make_user("supervisor", org, role=Membership.Role.SUPERVISOR)
    owner_membership = owner.memberships.get()
    owner_membership.supervisor = supervisor.memberships.get()
    owner_membership.save()
    make_client(org, owner, "C001")
    make_client(org, colleague, "C002")
    assert [c.code for c in visible_clients(supervisor)] == ["C001"]


def test_researchers_and_administrators_see_no_clients(org, owner):
    make_client(org, owner, "C001")
    for role in (Membership.Role.RESEARCHER, Membership.Role.ADMINISTRATOR):
        assert not visible_clients(make_user(f"u-{role}", org, role=role)).exists()


def test_a_lead_of_another_organisation_sees_nothing(outsider, client_record):
    assert not visible_clients(outsider).exists()


def test_healthz_answers_ok_without_login(client):
    response = client.get("/healthz/")
    assert response.status_code == 200 and response.content == b"ok"


def test_a_researcher_cannot_add_clients(client, org):
    researcher = make_user("researcher", org, role=Membership.Role.RESEARCHER)
    login(client, researcher)
    response = client.post(reverse("dashboard:new_client"), {"code": "Z1", "kind": "therapy"})
    assert response.status_code == 403
    assert not Client.objects.filter(code="Z1").exists()
