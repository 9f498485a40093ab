"""End to end in Debian's Chromium (driven by Playwright; no browser download).

A client opens an invitation on a 360x740 phone viewport, answers, reloads mid-way (answers are
kept in the browser), submits twice quickly; exactly one response is stored; the practitioner
logs in and sees the new score on the dashboard and the client page.  Screenshots of each page
are saved under build/screenshots/.
"""

import pytest

from alliance.practice.collect.models import Invitation, Response
from tests.practice.browser_support import needs_chromium, shot
from tests.practice.conftest import make_client, make_user

pytestmark = [needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_a_client_answers_on_a_phone_and_the_practitioner_sees_the_score(live_server, browser):
    from alliance.practice.accounts.models import Organisation

    org = Organisation.objects.create(name="Phone Practice", slug="phone")
    owner = make_user("owner", org)
    client_record = make_client(org, owner, "P001")
    _, token = Invitation.issue(
        client=client_record,
        episode=client_record.episodes.get(),
        instrument_id="phq9",
        respondent="client",
    )
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.goto(f"{live_server.url}/f/{token}/")
    shot(page, "1-client-form")
    answers = [1, 2, 3, 0, 1, 2, 1, 0, 0]  # total 10: "moderate" (Kroenke 2001)
    for n, value in enumerate(answers[:5], start=1):
        page.locator(f"input[name=phq9_{n}][value='{value}']").check()
    page.reload()  # answers so far are kept in localStorage
    assert errors == []
    for n, value in enumerate(answers[:5], start=1):
        assert page.locator(f"input[name=phq9_{n}][value='{value}']").is_checked()
    for n, value in enumerate(answers[5:], start=6):
        page.locator(f"input[name=phq9_{n}][value='{value}']").check()
    page.fill("textarea[name=comment]", "Sleep is better")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    page.locator("#submit-button").dblclick()
    page.wait_for_selector("#thanks")
    shot(page, "2-client-thanks")
    # a retry of the same form (e.g. the network dropped the first answer) stores nothing new
    page.go_back()
    page.wait_for_load_state()
    assert Response.objects.count() == 1
    stored = Response.objects.get()
    assert stored.comment == "Sleep is better"
    assert stored.scale_scores.get(scale_id="total").value == 10

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("input[name=username]", "owner")
    staff.fill("input[name=password]", "pw-owner")
    staff.click("button[type=submit]")
    staff.wait_for_selector("table.caseload")
    row = staff.locator("table.caseload tr", has_text="P001")
    assert "10" in row.inner_text() and "moderate" in row.inner_text()
    shot(staff, "3-dashboard")
    staff.click("text=P001")
    staff.wait_for_selector("svg.chart")
    assert "Sleep is better" in staff.content()
    shot(staff, "4-client-page")
