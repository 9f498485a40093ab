"""The practice's public page at /p/<slug>/ and its request form: what visitors see, what is
stored, the notification email, the honeypot and the per-IP rate limit."""

from __future__ import annotations

import hashlib
import hmac

import pytest
from django.core import mail
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from alliance.practice.accounts.models import Membership
from alliance.practice.public.models import (
    IntakeRequest,
    PracticePage,
    PractitionerProfile,
    RateLimitHit,
    Service,
)
from tests.practice.conftest import make_user


def make_page(org, practitioner, *, published: bool = True) -> PracticePage:
    """A page with one published profile (the practitioner's), one hidden profile and two
    services."""
    page = PracticePage.objects.create(
        organisation=org, introduction="We listen first.", is_published=published
    )
    PractitionerProfile.objects.create(
        page=page,
        user=practitioner,
        display_name="Robin Owner",
        bio="I work with adults.",
        qualifications="MSc Counselling",
        approach="Person-centred",
        is_published=True,
    )
    hidden = make_user(f"hidden-{org.slug}", org)
    PractitionerProfile.objects.create(
        page=page, user=hidden, display_name="Hidden Person", is_published=False
    )
    Service.objects.create(page=page, name="Career coaching", kind="coaching", modality="online")
    Service.objects.create(
        page=page, name="Counselling", kind="therapy", modality="in_person", price="£70"
    )
    return page


def request_data(**overrides) -> dict[str, str]:
    data = {
        "name": "Visitor Vee",
        "email": "vee@example.org",
        "phone": "+44 7700 900123",
        "practitioner": "",
        "service": "",
        "modality": "online",
        "message": "I would like to talk about a career change.",
        "consent": "on",
        "website": "",
    }
    data.update(overrides)
    return data


@pytest.fixture
def page(org, owner):
    return make_page(org, owner)


def post_request(client, slug: str, ip: str = "203.0.113.7", **overrides):
    return client.post(
        reverse("public:request", args=[slug]), request_data(**overrides), REMOTE_ADDR=ip
    )


def test_the_published_page_shows_the_practice_profiles_and_services(client, page):
    html = client.get("/p/riverside/").content.decode()
    for text in ("Riverside Practice", "We listen first.", "Robin Owner", "MSc Counselling"):
        assert text in html
    assert "Person-centred" in html and "Career coaching" in html and "£70" in html
    assert "Coaching" in html and "Online" in html and "In person" in html
    assert "Hidden Person" not in html
    assert 'name="website"' in html and 'aria-hidden="true"' in html


def test_a_profile_of_someone_who_left_the_practice_is_not_shown(client, owner, page):
    owner.memberships.all().delete()
    html = client.get("/p/riverside/").content.decode()
    assert "Robin Owner" not in html
    assert post_request(client, "riverside", practitioner=owner.pk).status_code == 400


def test_an_unpublished_page_is_not_found_everywhere(client, org, owner):
    make_page(org, owner, published=False)
    profile = PractitionerProfile.objects.get(user=owner)
    assert client.get("/p/riverside/").status_code == 404
    assert client.get(reverse("public:thanks", args=["riverside"])).status_code == 404
    assert client.get(reverse("public:photo", args=["riverside", profile.pk])).status_code == 404
    assert post_request(client, "riverside").status_code == 404
    assert not IntakeRequest.objects.exists()


def test_an_organisation_without_a_page_is_not_found(client, org):
    assert client.get("/p/riverside/").status_code == 404
    assert client.get("/p/no-such-practice/").status_code == 404


def test_a_request_is_stored_as_pending_and_the_visitor_is_thanked(client, org, owner, page):
    service = page.services.get(name="Career coaching")
    response = post_request(client, "riverside", practitioner=owner.pk, service=service.pk)
    assert response.status_code == 302
    assert response["Location"] == reverse("public:thanks", args=["riverside"])
    stored = IntakeRequest.objects.get()
    assert stored.organisation == org and stored.addressed_to == owner
    assert stored.status == IntakeRequest.Status.PENDING
    assert (stored.name, stored.email, stored.phone) == (
        "Visitor Vee",
        "vee@example.org",
        "+44 7700 900123",
    )
    assert stored.service == service and stored.service_name == "Career coaching"
    assert stored.modality == "online" and stored.consent_to_contact
    assert "Thank you" in client.get(response["Location"]).content.decode()


def test_nothing_from_a_request_is_shown_on_public_pages(client, page):
    post_request(client, "riverside", name="Zebulon Quist", message="secret words here")
    for url in ("/p/riverside/", reverse("public:thanks", args=["riverside"])):
        html = client.get(url).content.decode()
        assert "Zebulon" not in html and "vee@example.org" not in html
        assert "secret words" not in html


def test_the_practice_gets_an_email_with_a_link_and_no_details(client, org, owner, page):
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    lead.email, owner.email = "lead@riverside.example", "owner@riverside.example"
    lead.save()
    owner.save()
    post_request(client, "riverside", practitioner=owner.pk, name="Zebulon Quist")
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert sorted(message.to) == ["lead@riverside.example", "owner@riverside.example"]
    stored = IntakeRequest.objects.get()
    assert reverse("public:intake_detail", args=["riverside", stored.pk]) in message.body
    everything = message.subject + message.body
    for private in ("Zebulon", "vee@example.org", "7700", "career change"):
        assert private not in everything


def test_the_page_notification_address_replaces_the_leads(client, org, page):
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    lead.email = "lead@riverside.example"
    lead.save()
    page.notify_email = "intake@riverside.example"
    page.save()
    post_request(client, "riverside")
    assert [m.to for m in mail.outbox] == [["intake@riverside.example"]]


class FailingBackend(BaseEmailBackend):
    def send_messages(self, email_messages):
        raise ConnectionRefusedError("mail server down")


def test_a_failing_mail_server_does_not_lose_the_request(client, org, owner, page, settings):
    owner.email = "owner@riverside.example"
    owner.save()
    settings.EMAIL_BACKEND = f"{__name__}.FailingBackend"
    response = post_request(client, "riverside", practitioner=owner.pk)
    assert response.status_code == 302
    assert IntakeRequest.objects.count() == 1
    assert mail.outbox == []  # the failing backend was the one asked to send


@pytest.mark.parametrize(
    ("overrides", "field_label"),
    [
        ({"email": "not-an-address"}, "Email"),
        ({"name": ""}, "Your name"),
        ({"consent": ""}, "I agree that the practice may contact me"),
        ({"modality": "telepathy"}, "In person or online?"),
        ({"phone": "call me maybe"}, "Phone (optional)"),
        ({"message": "x" * 1001}, "A short message (optional)"),
    ],
)
def test_an_invalid_request_answers_400_naming_the_field_and_stores_nothing(
    client, page, overrides, field_label
):
    response = post_request(client, "riverside", **overrides)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check:" in html and field_label in html.split("Please check:")[1][:300]
    assert not IntakeRequest.objects.exists()
    assert mail.outbox == []


def test_a_practitioner_or_service_of_another_page_is_refused(client, page, other_org, outsider):
    other_page = make_page(other_org, outsider)
    foreign_service = other_page.services.first()
    assert post_request(client, "riverside", practitioner=outsider.pk).status_code == 400
    assert post_request(client, "riverside", service=foreign_service.pk).status_code == 400
    hidden = PractitionerProfile.objects.get(display_name="Hidden Person", page=page)
    assert post_request(client, "riverside", practitioner=hidden.user_id).status_code == 400
    assert not IntakeRequest.objects.exists()


def test_a_bot_filling_the_honeypot_is_thanked_but_nothing_is_stored_or_sent(client, page):
    response = post_request(client, "riverside", website="http://spam.example")
    assert response.status_code == 302
    assert response["Location"] == reverse("public:thanks", args=["riverside"])
    assert not IntakeRequest.objects.exists()
    assert mail.outbox == []


def test_more_requests_than_the_limit_from_one_ip_get_a_friendly_429(client, page, settings):
    settings.INTAKE_RATE_LIMIT = 3
    statuses = [post_request(client, "riverside").status_code for _ in range(3)]
    assert statuses == [302, 302, 302]
    refused = post_request(client, "riverside")
    assert refused.status_code == 429
    assert "try again" in refused.content.decode()
    assert IntakeRequest.objects.count() == 3
    # another address is not affected
    assert post_request(client, "riverside", ip="198.51.100.4").status_code == 302


def test_honeypot_and_invalid_posts_count_towards_the_limit(client, page, settings):
    settings.INTAKE_RATE_LIMIT = 2
    post_request(client, "riverside", website="spam")
    post_request(client, "riverside", email="bad")
    assert post_request(client, "riverside").status_code == 429
    assert not IntakeRequest.objects.exists()


def test_the_limit_is_lifted_when_the_window_has_passed(client, page, settings):
    settings.INTAKE_RATE_LIMIT = 1
    settings.INTAKE_RATE_WINDOW_MINUTES = 60
    assert post_request(client, "riverside").status_code == 302
    assert post_request(client, "riverside").status_code == 429
    assert RateLimitHit.objects.count() == 1  # the refused post left no row behind
    RateLimitHit.objects.update(created=timezone.now() - timezone.timedelta(minutes=61))
    assert post_request(client, "riverside").status_code == 302
    assert RateLimitHit.objects.count() == 1  # the expired hit was cleaned up


def test_only_a_keyed_hash_of_the_ip_is_stored(client, page, settings):
    post_request(client, "riverside", ip="203.0.113.99")
    hit = RateLimitHit.objects.get()
    assert "203.0.113.99" not in hit.key
    assert hit.key != hashlib.sha256(b"203.0.113.99").hexdigest()
    expected = hmac.new(settings.SECRET_KEY.encode(), b"intake:203.0.113.99", hashlib.sha256)
    assert hit.key == expected.hexdigest()


def test_behind_a_proxy_the_forwarded_address_is_limited(client, page, settings):
    settings.INTAKE_RATE_LIMIT = 1
    settings.INTAKE_PROXY_HOPS = 1
    url = reverse("public:request", args=["riverside"])
    first = client.post(url, request_data(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    second = client.post(url, request_data(), HTTP_X_FORWARDED_FOR="198.51.100.2")
    again = client.post(url, request_data(), HTTP_X_FORWARDED_FOR="198.51.100.1")
    assert [first.status_code, second.status_code, again.status_code] == [302, 302, 429]


def test_the_request_form_only_answers_posts(client, page):
    assert client.get(reverse("public:request", args=["riverside"])).status_code == 405
