"""The public page end to end in Debian's Chromium (Playwright; no browser download).

A visitor on a 360x740 phone opens /p/<slug>/, sees the profiles and services, sends a
request and sees the thank-you page; the practitioner logs in and finds the request under
"Intake requests". A bot that fills in the hidden honeypot field is thanked as well, but
nothing is stored. Screenshots go to build/screenshots/public-*.png.
"""

import pytest

from alliance.practice.public.models import IntakeRequest
from tests.practice.browser_support import needs_chromium, shot
from tests.practice.conftest import make_user
from tests.practice.test_public_page import make_page

pytestmark = [needs_chromium]


def phone_page(browser):
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    return page, errors


def fill_request(page) -> None:
    page.fill("#id_name", "Visitor Vee")
    page.fill("#id_email", "vee@example.org")
    page.fill("#id_phone", "07700 900123")
    page.select_option("#id_practitioner", label="Robin Owner")
    page.select_option("#id_service", label="Career coaching")
    page.select_option("#id_modality", value="online")
    page.fill("#id_message", "I would like to talk about a career change.")
    page.check("#id_consent")


@pytest.mark.django_db(transaction=True)
def test_a_visitor_on_a_phone_sends_a_request_and_the_practitioner_finds_it(live_server, browser):
    from alliance.practice.accounts.models import Organisation

    org = Organisation.objects.create(name="Riverside Practice", slug="riverside")
    owner = make_user("owner", org)
    make_page(org, owner)
    page, errors = phone_page(browser)
    page.goto(f"{live_server.url}/p/riverside/")
    assert page.locator(".profile h3").all_inner_texts() == ["Robin Owner"]
    services = page.locator(".service h3").all_inner_texts()
    assert services == ["Career coaching", "Counselling"]
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    honeypot = page.locator("#id_website")
    box = honeypot.bounding_box()
    assert box is not None and box["x"] + box["width"] <= 0  # off-screen for people
    shot(page, "public-1-page")
    fill_request(page)
    page.click("#request-button")
    page.wait_for_selector("#thanks")
    shot(page, "public-2-thanks")
    assert "Visitor Vee" not in page.content()
    assert errors == []
    stored = IntakeRequest.objects.get()
    assert stored.addressed_to == owner and stored.service_name == "Career coaching"

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("input[name=username]", "owner")
    staff.fill("input[name=password]", "pw-owner")
    staff.click("button[type=submit]")
    staff.wait_for_selector("a.nav-intake")
    assert staff.locator("a.nav-intake").inner_text() == "Intake requests (1)"
    staff.click("a.nav-intake")
    staff.click("text=Visitor Vee")
    staff.wait_for_selector("#intake-status")
    assert "vee@example.org" in staff.content()
    assert "career change" in staff.content()
    shot(staff, "public-3-intake")


@pytest.mark.django_db(transaction=True)
def test_a_bot_that_fills_the_honeypot_is_thanked_and_nothing_is_stored(live_server, browser):
    from alliance.practice.accounts.models import Organisation

    org = Organisation.objects.create(name="Riverside Practice", slug="riverside")
    make_page(org, make_user("owner", org))
    page, _ = phone_page(browser)
    page.goto(f"{live_server.url}/p/riverside/")
    fill_request(page)
    page.locator("#id_website").fill("http://cheap-pills.example", force=True)
    page.click("#request-button")
    page.wait_for_selector("#thanks")
    assert IntakeRequest.objects.count() == 0
