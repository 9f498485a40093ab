"""Intake requests for the practice's staff, and access to every URL of the public app:
the owner (the practitioner a request is addressed to) can, a colleague cannot (404), an
outsider of another organisation cannot (404), an anonymous visitor is sent to log in."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Client
from alliance.practice.care.scoping import visible_clients
from alliance.practice.public.models import IntakeRequest, PractitionerProfile
from alliance.practice.public.urls import urlpatterns
from tests.practice.conftest import login, make_user
from tests.practice.test_public_page import make_page


def make_request(org, addressed_to=None, name: str = "Visitor Vee", **fields) -> IntakeRequest:
    return IntakeRequest.objects.create(
        organisation=org,
        addressed_to=addressed_to,
        name=name,
        email=fields.pop("email", "vee@example.org"),
        phone=fields.pop("phone", "01632 960000"),
        consent_to_contact=True,
        **fields,
    )


@pytest.fixture
def intake(org, owner):
    make_page(org, owner)
    return make_request(org, addressed_to=owner)


def staff_urls(intake: IntakeRequest) -> list[tuple[str, str]]:
    """Every staff URL of the public app, with its method."""
    slug, pk = intake.organisation.slug, intake.pk
    return [
        ("get", reverse("public:intake_list", args=[slug])),
        ("get", reverse("public:intake_detail", args=[slug, pk])),
        ("post", reverse("public:intake_status", args=[slug, pk])),
        ("post", reverse("public:intake_delete", args=[slug, pk])),
        ("get", reverse("public:intake_create_client", args=[slug, pk])),
        ("post", reverse("public:intake_create_client", args=[slug, pk])),
        ("get", reverse("public:edit_page", args=[slug])),
        ("post", reverse("public:edit_page", args=[slug])),
        ("post", reverse("public:publish", args=[slug])),
        ("get", reverse("public:edit_profile", args=[slug])),
        ("post", reverse("public:edit_profile", args=[slug])),
    ]


def public_urls(intake: IntakeRequest) -> list[tuple[str, str]]:
    """The URLs without login (they show only what the practice published)."""
    slug = intake.organisation.slug
    profile = PractitionerProfile.objects.filter(page__organisation=intake.organisation).first()
    return [
        ("get", reverse("public:page", args=[slug])),
        ("post", reverse("public:request", args=[slug])),
        ("get", reverse("public:thanks", args=[slug])),
        ("get", reverse("public:photo", args=[slug, profile.pk])),
    ]


def test_every_url_of_the_public_app_is_walked_by_the_access_tests(intake):
    names = {p.name for p in urlpatterns}
    walked = {resolve(url).url_name for _, url in staff_urls(intake) + public_urls(intake)}
    assert names == walked, "a new URL of the public app needs an access test"


def test_an_outsider_gets_404_on_every_staff_url_and_changes_nothing(client, intake, outsider):
    login(client, outsider)
    data = {
        "status": "declined",
        "code": "X1",
        "kind": "therapy",
        "started": "2026-01-05",
        "confirm": "yes",
    }
    for method, url in staff_urls(intake):
        assert getattr(client, method)(url, data).status_code == 404, url
    intake.refresh_from_db()
    assert intake.status == IntakeRequest.Status.PENDING and intake.client is None
    assert not Client.objects.exists()


def test_an_outsider_sees_only_what_is_published(client, intake, outsider):
    login(client, outsider)
    html = client.get(reverse("public:page", args=["riverside"])).content.decode()
    assert "Robin Owner" in html and "Visitor Vee" not in html and "vee@example.org" not in html
    response = client.get(reverse("public:photo", args=["riverside", intake.pk]))
    assert response.status_code == 404  # no photo uploaded


def test_an_anonymous_visitor_is_sent_to_log_in_on_every_staff_url(client, intake):
    for method, url in staff_urls(intake):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("role", [Membership.Role.RESEARCHER, Membership.Role.ADMINISTRATOR])
def test_members_without_a_clinical_role_get_404(client, org, intake, role):
    login(client, make_user(f"u-{role}", org, role=role))
    for method, url in staff_urls(intake):
        assert getattr(client, method)(url).status_code == 404, url


def test_the_owner_sees_a_request_addressed_to_them(client, owner, intake):
    login(client, owner)
    listing = client.get(reverse("public:intake_list", args=["riverside"])).content.decode()
    assert "Visitor Vee" in listing
    detail = client.get(reverse("public:intake_detail", args=["riverside", intake.pk]))
    assert detail.status_code == 200
    html = detail.content.decode()
    assert "vee@example.org" in html and "01632 960000" in html


def test_a_colleague_cannot_see_a_request_addressed_to_someone_else(client, colleague, intake):
    login(client, colleague)
    listing = client.get(reverse("public:intake_list", args=["riverside"])).content.decode()
    assert "Visitor Vee" not in listing
    for name in ("intake_detail", "intake_status", "intake_delete", "intake_create_client"):
        url = reverse(f"public:{name}", args=["riverside", intake.pk])
        assert client.post(url, {"status": "declined"}).status_code == 404, name
    intake.refresh_from_db()
    assert intake.status == IntakeRequest.Status.PENDING


def test_a_request_to_the_practice_is_seen_by_every_practitioner(client, org, colleague, intake):
    to_practice = make_request(org, name="Open Request")
    login(client, colleague)
    listing = client.get(reverse("public:intake_list", args=["riverside"])).content.decode()
    assert "Open Request" in listing
    url = reverse("public:intake_detail", args=["riverside", to_practice.pk])
    assert client.get(url).status_code == 200


def test_a_clinical_lead_sees_every_request_of_the_organisation_only(
    client, org, other_org, colleague, intake
):
    make_request(org, addressed_to=colleague, name="For Colleague")
    make_request(other_org, name="Elsewhere Person")
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    login(client, lead)
    listing = client.get(reverse("public:intake_list", args=["riverside"])).content.decode()
    assert "Visitor Vee" in listing and "For Colleague" in listing
    assert "Elsewhere Person" not in listing


def test_the_status_changes_and_records_who_changed_it(client, owner, intake):
    login(client, owner)
    url = reverse("public:intake_status", args=["riverside", intake.pk])
    assert client.post(url, {"status": "contacted"}).status_code == 302
    intake.refresh_from_db()
    assert intake.status == "contacted" and intake.status_changed_by == owner
    assert intake.status_changed is not None


def test_an_unknown_status_answers_400_naming_the_allowed_values(client, owner, intake):
    login(client, owner)
    url = reverse("public:intake_status", args=["riverside", intake.pk])
    response = client.post(url, {"status": "maybe"})
    assert response.status_code == 400
    assert b"status" in response.content and b"pending, contacted" in response.content
    listing = client.get(reverse("public:intake_list", args=["riverside"]), {"status": "maybe"})
    assert listing.status_code == 400


def test_the_list_filters_by_status(client, org, owner, intake):
    make_request(org, addressed_to=owner, name="Already Contacted", status="contacted")
    login(client, owner)
    url = reverse("public:intake_list", args=["riverside"])
    html = client.get(url, {"status": "contacted"}).content.decode()
    assert "Already Contacted" in html and "Visitor Vee" not in html


def test_creating_a_client_copies_the_contact_details_and_assigns_the_user(
    client, org, owner, intake
):
    service = intake.organisation.public_page.services.get(name="Career coaching")
    intake.service = service
    intake.save()
    login(client, owner)
    url = reverse("public:intake_create_client", args=["riverside", intake.pk])
    form = client.get(url)
    assert form.status_code == 200
    assert f"R{intake.pk:04d}" in form.content.decode()  # the suggested code
    assert 'value="coaching" selected' in form.content.decode()  # from the service
    response = client.post(url, {"code": "N001", "kind": "coaching", "started": "2026-03-02"})
    created = Client.objects.get(code="N001")
    assert response["Location"] == reverse("dashboard:client", args=[created.pk])
    assert created.organisation == org
    assert (created.name, created.contact_email, created.contact_phone) == (
        "Visitor Vee",
        "vee@example.org",
        "01632 960000",
    )
    assert list(visible_clients(owner)) == [created]
    episode = created.episodes.get()
    assert episode.kind == "coaching" and str(episode.started) == "2026-03-02"
    assert {e.instrument_id for e in episode.plan.all()} == {"ors", "srs"}
    intake.refresh_from_db()
    assert intake.client == created and intake.status == IntakeRequest.Status.ACCEPTED
    # a second post (double click) creates nothing more
    client.post(url, {"code": "N002", "kind": "coaching", "started": "2026-03-02"})
    assert Client.objects.count() == 1
    detail = client.get(reverse("public:intake_detail", args=["riverside", intake.pk]))
    assert "N001" in detail.content.decode()


def test_a_taken_client_code_answers_400_naming_the_code(client, org, owner, intake):
    Client.objects.create(organisation=org, code="N001")
    login(client, owner)
    url = reverse("public:intake_create_client", args=["riverside", intake.pk])
    response = client.post(url, {"code": "N001", "kind": "therapy", "started": "2026-03-02"})
    assert response.status_code == 400
    assert "already exists" in response.content.decode()
    assert Client.objects.count() == 1


def test_the_header_counts_pending_requests_the_user_may_see(client, org, owner, colleague, intake):
    make_request(org, addressed_to=owner, status="declined")
    login(client, owner)
    assert "Intake requests (1)" in client.get(reverse("dashboard:caseload")).content.decode()
    client.logout()
    login(client, colleague)
    assert "Intake requests (0)" in client.get(reverse("dashboard:caseload")).content.decode()


def test_the_header_link_is_not_shown_to_researchers(client, org, intake):
    login(client, make_user("researcher", org, role=Membership.Role.RESEARCHER))
    response = client.get(reverse("dashboard:caseload"))
    assert "Intake requests" not in response.content.decode()


def test_the_list_makes_the_same_number_of_queries_for_many_requests(client, org, owner, intake):
    login(client, owner)
    url = reverse("public:intake_list", args=["riverside"])
    client.get(url)
    with CaptureQueriesContext(connection) as few:
        client.get(url)
    for n in range(20):
        make_request(org, addressed_to=owner if n % 2 else None, name=f"Person {n}")
    with CaptureQueriesContext(connection) as many:
        response = client.get(url)
    assert "Person 19" in response.content.decode()
    assert len(many) == len(few)


def test_a_request_is_erased_only_with_the_box_ticked(client, owner, intake):
    login(client, owner)
    url = reverse("public:intake_delete", args=["riverside", intake.pk])
    refused = client.post(url, {})
    assert refused.status_code == 400 and "confirm" in refused.content.decode()
    assert IntakeRequest.objects.filter(pk=intake.pk).exists()
    response = client.post(url, {"confirm": "yes"})
    assert response.status_code == 302 and not IntakeRequest.objects.filter(pk=intake.pk).exists()
    page = client.get(reverse("public:intake_list", args=["riverside"])).content.decode()
    assert "Visitor Vee" not in page and "The request was erased." in page
