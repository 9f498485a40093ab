"""The demo practice's public page at /p/demo/ and its pending intake requests."""

from __future__ import annotations

from datetime import date

import numpy as np
import pytest
from django.urls import reverse

from alliance.practice import demo
from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.public import demo as public_demo
from alliance.practice.public.models import IntakeRequest
from tests.practice.conftest import login, make_user


@pytest.fixture
def demo_practice(db):
    org = Organisation.objects.create(name="Demo Practice", slug="demo", is_demo=True)
    users = {"demo": make_user("demo", org, role=Membership.Role.LEAD)}
    for name in ("alex", "sam", "jo"):
        users[name] = make_user(name, org)
    public_demo.seed(org, users, np.random.default_rng(1), date(2026, 11, 26))
    return org, users


def test_the_public_app_is_registered_for_demo_data():
    assert "public" in demo.APPS_WITH_DEMO_DATA


def test_the_demo_page_shows_therapists_a_coach_and_services(client, demo_practice):
    response = client.get("/p/demo/")
    assert response.status_code == 200
    html = response.content.decode()
    for name in ("Alex Morgan", "Sam Okafor", "Jo Lindqvist", "career coaching"):
        assert name in html
    for text in ("Personal coaching", "Career coaching", "Online therapy", "In person"):
        assert text in html
    assert "Robin Example" not in html and "example.org" not in html


def test_the_demo_has_three_pending_requests_seen_by_the_right_people(client, demo_practice):
    org, users = demo_practice
    assert IntakeRequest.objects.filter(organisation=org, status="pending").count() == 3
    login(client, users["demo"])
    listing = client.get(reverse("public:intake_list", args=["demo"])).content.decode()
    assert all(n in listing for n in ("Robin Example", "Casey Example", "Morgan Example"))
    client.logout()
    login(client, users["jo"])
    listing = client.get(reverse("public:intake_list", args=["demo"])).content.decode()
    assert "Robin Example" in listing and "Casey Example" in listing
    assert "Morgan Example" not in listing  # addressed to alex
    assert "Intake requests (2)" in listing
