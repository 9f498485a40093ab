"""The outbox's demo data: emails sent, a reminder, a visible failure, and a steady state."""

from __future__ import annotations

import numpy as np
from django.urls import reverse
from django.utils import timezone

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.outbox import demo
from alliance.practice.outbox.models import Delivery
from alliance.practice.outbox.sender import run_pass
from tests.practice.conftest import login, make_client, make_user


def test_the_demo_shows_sent_emails_a_reminder_and_a_failure_to_fix(client, db):
    org = Organisation.objects.create(name="Demo Practice", slug="demo", is_demo=True)
    lead = make_user("demo", org, role=Membership.Role.LEAD)
    alex = make_user("alex", org)
    for n in range(1, 12):
        make_client(org, alex, f"D{n:03d}")
    demo.seed(org, {"demo": lead, "alex": alex}, np.random.default_rng(1), timezone.localdate())
    sent = Delivery.objects.filter(status="sent")
    assert sorted(sent.values_list("invitation__client__code", "kind")) == [
        ("D001", "invitation"),
        ("D002", "invitation"),
        ("D002", "reminder"),
        ("D004", "invitation"),
        ("D011", "invitation"),
    ]
    failure = Delivery.objects.get(status="gave_up")
    assert failure.invitation.client.code == "D005"
    assert run_pass().sent == 0  # nothing due right after seeding
    login(client, lead)
    page = client.get(reverse("outbox:outbox")).content.decode()
    assert page.index("no email address") < page.index("D001")
