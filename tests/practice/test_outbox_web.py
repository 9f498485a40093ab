"""The Outbox page, "retry now" and "Email this link": who may use them, and what they do."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import resolve, reverse
from django.utils import timezone

from alliance.practice.accounts.models import Membership
from alliance.practice.collect.models import Invitation, hash_token
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.sender import run_pass
from tests.practice.conftest import login, make_client, make_user
from tests.practice.test_outbox_support import due_invitation, emailed_token


def failed_delivery(client, status="failed", **fields) -> Delivery:
    invitation, _ = due_invitation(client, send_after=timezone.now() - timedelta(minutes=10))
    return Delivery.objects.create(
        invitation=invitation,
        status=status,
        attempts=fields.pop("attempts", 1),
        last_error=fields.pop("last_error", "SMTPException 421: try again later"),
        next_attempt_at=None if status == "gave_up" else timezone.now() + timedelta(minutes=5),
        scheduled_for=invitation.send_after,
        **fields,
    )


@pytest.fixture
def emailable(client_record):
    client_record.contact_email = "robin@example.org"
    client_record.save()
    return client_record


@pytest.fixture
def failure(emailable):
    return failed_delivery(emailable)


def outbox_urls(delivery: Delivery) -> list[tuple[str, str]]:
    """Every URL of the outbox app, with its method."""
    return [
        ("get", reverse("outbox:outbox")),
        ("post", reverse("outbox:retry", args=[delivery.pk])),
        ("post", reverse("outbox:email_link", args=[delivery.invitation.client_id])),
    ]


def test_the_access_tests_walk_every_outbox_url(failure):
    from alliance.practice.outbox.urls import urlpatterns

    walked = {resolve(url).url_name for _, url in outbox_urls(failure)}
    assert {p.name for p in urlpatterns} == walked, "add the new URL to outbox_urls"


def test_the_owner_sees_and_acts_on_their_clients_emails(client, owner, failure):
    login(client, owner)
    page = client.get(reverse("outbox:outbox")).content.decode()
    assert "C001" in page and "SMTPException 421: try again later" in page
    assert "Retry now" in page
    for method, url in outbox_urls(failure)[1:]:
        assert getattr(client, method)(url, {"instrument": "gad7"}).status_code == 302, url
    failure.refresh_from_db()
    assert failure.status == "pending"
    assert Invitation.objects.filter(instrument_id="gad7", send_after__isnull=False).exists()


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_others_see_nothing_and_change_nothing(client, request, failure, who):
    login(client, request.getfixturevalue(who))
    page = client.get(reverse("outbox:outbox"))
    assert page.status_code == 200
    assert "C001" not in page.content.decode() and "try again later" not in page.content.decode()
    for method, url in outbox_urls(failure)[1:]:
        response = getattr(client, method)(url, {"instrument": "gad7", "respondent": "client"})
        assert response.status_code == 404, (who, url)
    failure.refresh_from_db()
    assert failure.status == "failed"
    assert Invitation.objects.count() == 1


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, failure):
    for method, url in outbox_urls(failure):
        response = getattr(client, method)(url)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_a_lead_sees_the_emails_of_every_client_of_the_organisation(client, org, colleague):
    lead = make_user("lead", org, role=Membership.Role.LEAD)
    failed_delivery(make_client(org, colleague, "C777"))
    login(client, lead)
    assert "C777" in client.get(reverse("outbox:outbox")).content.decode()


def test_failures_are_listed_first(client, org, owner):
    failed_delivery(make_client(org, owner, "C001"), status="gave_up")
    sent = failed_delivery(make_client(org, owner, "C002"), status="sent", last_error="")
    Delivery.objects.filter(pk=sent.pk).update(created=timezone.now() + timedelta(hours=1))
    login(client, owner)
    page = client.get(reverse("outbox:outbox")).content.decode()
    assert "1 email needs attention" in page
    assert page.index("C001") < page.index("C002")


def test_the_outbox_page_query_count_does_not_grow_with_the_emails(client, org, owner):
    login(client, owner)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("outbox:outbox")).status_code == 200
        return len(queries.captured_queries)

    for n in range(2):
        failed_delivery(make_client(org, owner, f"A{n}"))
    small = count()
    for n in range(20):
        c = make_client(org, owner, f"B{n}", sessions=1)
        c.caregivers.create(relationship="father")
        failed_delivery(c, status=["sent", "gave_up"][n % 2])
        due_invitation(c, send_after=timezone.now() + timedelta(days=30))
    assert count() == small


def test_retry_now_queues_the_email_for_the_next_pass(client, owner, emailable):
    delivery = failed_delivery(emailable, status="gave_up", attempts=4)
    login(client, owner)
    back = reverse("dashboard:client", args=[emailable.pk]) + "#outbox"
    response = client.post(reverse("outbox:retry", args=[delivery.pk]), {"next": back})
    assert response["Location"] == back
    assert mail.outbox == []  # the web request sends nothing
    assert run_pass().sent == 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == ("sent", 5)


def test_retry_refuses_an_email_that_was_sent(client, owner, emailable):
    delivery = failed_delivery(emailable, status="sent", last_error="")
    login(client, owner)
    response = client.post(reverse("outbox:retry", args=[delivery.pk]))
    assert response.status_code == 400
    assert b"only failed or given-up emails can be retried" in response.content


def test_email_this_link_creates_an_invitation_the_next_pass_sends(client, owner, emailable):
    login(client, owner)
    url = reverse("outbox:email_link", args=[emailable.pk])
    response = client.post(url, {"instrument": "gad7", "respondent": "client"})
    assert response["Location"].endswith(f"/clients/{emailable.pk}/#outbox")
    invitation = Invitation.objects.get()
    assert invitation.created_by == owner and invitation.send_after <= timezone.now()
    assert mail.outbox == []
    assert run_pass().sent == 1
    assert client.get(f"/f/{emailed_token(mail.outbox[0])}/").status_code == 200


def test_email_this_link_of_an_open_invitation_replaces_the_handed_over_link(
    client, owner, emailable
):
    invitation, handed_over = Invitation.issue_for(
        emailable, instrument_id="phq9", respondent="client"
    )
    login(client, owner)
    url = reverse("outbox:email_link", args=[emailable.pk])
    assert client.post(url, {"invitation": invitation.pk}).status_code == 302
    run_pass()
    invitation.refresh_from_db()
    assert invitation.token_hash == hash_token(emailed_token(mail.outbox[0]))
    assert client.get(f"/f/{handed_over}/").status_code == 404


def test_email_this_link_of_a_queued_email_does_not_send_it_twice(client, owner, emailable):
    delivery = failed_delivery(emailable)
    login(client, owner)
    url = reverse("outbox:email_link", args=[emailable.pk])
    assert client.post(url, {"invitation": delivery.invitation_id}).status_code == 302
    assert run_pass().sent == 1
    assert run_pass(timezone.now() + timedelta(minutes=1)).sent == 0
    assert Delivery.objects.count() == 1 and len(mail.outbox) == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"instrument": "nope"}, "instrument:"),
        ({"instrument": "wai-sr-t"}, "instrument: wai-sr-t is answered by the practitioner"),
        ({"instrument": "gad7", "respondent": "someone"}, "respondent: expected client or"),
        ({"instrument": "tasc-p", "respondent": "caregiver"}, "caregiver: Parent has no email"),
        ({"invitation": "999999"}, "invitation: choose one of this client's open invitations"),
    ],
)
def test_email_this_link_refuses_bad_forms_with_400(client, owner, emailable, data, message):
    if data.get("respondent") == "caregiver":
        data["caregiver"] = emailable.caregivers.get().pk
    login(client, owner)
    response = client.post(reverse("outbox:email_link", args=[emailable.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not Invitation.objects.exists()


def test_email_this_link_needs_an_address(client, owner, client_record):
    login(client, owner)
    response = client.post(
        reverse("outbox:email_link", args=[client_record.pk]), {"instrument": "gad7"}
    )
    assert response.status_code == 400
    assert "contact_email: client C001 has no email address" in response.content.decode()
    assert not Invitation.objects.exists()


def test_the_client_page_shows_the_panel_with_failures_and_the_form(client, owner, failure):
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[failure.invitation.client_id]))
    html = page.content.decode()
    assert 'id="outbox"' in html and "Emailed links" in html
    assert "SMTPException 421: try again later" in html
    assert reverse("outbox:retry", args=[failure.pk]) in html
    assert reverse("outbox:email_link", args=[failure.invitation.client_id]) in html


def test_the_panel_says_when_the_client_has_no_address(client, owner, client_record):
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "No email address on file for C001" in page


def test_the_panel_shows_a_follow_up_scheduled_months_ahead(client, owner, emailable):
    in_a_month = timezone.now() + timedelta(days=30)
    due_invitation(emailable, send_after=in_a_month, days=40)
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[emailable.pk])).content.decode()
    assert f"emailed on {timezone.localtime(in_a_month):%-d %b %Y}" in page
