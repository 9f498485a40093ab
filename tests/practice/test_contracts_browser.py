"""A client reads their contract on a phone (360x740), rewrites a goal and agrees (Debian's
Chromium through Playwright; screenshots under build/screenshots/)."""

import pytest

from alliance.practice.contracts.models import ContractLink, ContractVersion
from tests.practice.browser_support import needs_chromium, shot
from tests.practice.conftest import make_client, make_user

pytestmark = [needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_a_client_rewrites_a_goal_and_agrees_on_a_phone(live_server, browser):
    from alliance.practice.accounts.models import Organisation
    from alliance.practice.contracts.versions import GoalText, Terms, save_terms

    org = Organisation.objects.create(name="Phone Practice", slug="phone-contracts")
    owner = make_user("owner", org)
    client_record = make_client(org, owner, "K001")
    terms = Terms(
        goals=(GoalText(None, "Sleep better"), GoalText(None, "Go back to choir")),
        tasks="Talking, and one small experiment a week",
        expected_sessions=8,
        measurement_consent=True,
    )
    version = save_terms(client_record.episodes.get(), terms, by=owner)
    _, token = ContractLink.issue(version.contract)
    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/contract/{token}/")
    assert page.locator("h1").inner_text() == "Our agreement"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    shot(page, "contracts-1-client-contract")
    page.click("#edit-goals")
    sleep_id = version.goals[0]["id"]
    page.fill(f"#goal_{sleep_id}", "Sleep through most nights")
    page.fill("#new_goal_0", "Feel calmer at work")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(page, "contracts-2-client-goals")
    page.click("#submit-button")
    page.wait_for_selector("#thanks")
    page.click("text=Back to our agreement")
    assert "Feel calmer at work" in page.content()
    assert page.locator("#agreement").inner_text().startswith("You agreed")  # their own version
    assert errors == []
    proposal = ContractVersion.objects.get(number=2)
    assert proposal.from_client and proposal.client_agreed_at is not None
    assert proposal.goals[0]["text"] == "Sleep through most nights"
    shot(page, "contracts-3-client-agreed")
