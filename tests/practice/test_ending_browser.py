"""End to end in Debian's Chromium: a client fills in their relapse-prevention plan through
their link on a 360x740 phone viewport (adding warning signs line by line, removing a line,
saving), downloads the PDF, and the PDF's text holds their warning signs; the practitioner
then sees on the client page that the client changed the plan.  Screenshots under
build/screenshots/."""

import io

import pytest

from alliance.practice.ending.models import PlanLink, RelapsePlan
from alliance.practice.ending.worksheet import plan_for, save_plan
from tests.practice.browser_support import needs_chromium, shot
from tests.practice.conftest import make_client, make_user

pytestmark = [needs_chromium]


@pytest.mark.django_db(transaction=True)
def test_a_client_fills_in_their_plan_on_a_phone_and_downloads_it_as_pdf(live_server, browser):
    from pypdf import PdfReader

    from alliance.practice.accounts.models import Organisation

    org = Organisation.objects.create(name="Harbour Counselling", slug="harbour")
    owner = make_user("owner", org)
    client_record = make_client(org, owner, "H001")
    plan = plan_for(client_record.episodes.get())
    save_plan(plan, {"coping": ["Ten minutes outside", "Old habit"]}, by_client=False, user=owner)
    _, token = PlanLink.issue(plan, created_by=owner)

    phone = browser.new_context(
        viewport={"width": 360, "height": 740}, is_mobile=True, accept_downloads=True
    )
    page = phone.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(f"{live_server.url}/relapse-plan/{token}/")
    shot(page, "ending-1-client-plan")
    page.fill("#warning_signs-new-1", "Cancelling plans with friends")
    page.click("#add-warning_signs")
    page.wait_for_url("**?add=warning_signs*")
    assert page.evaluate("document.activeElement.id") == "warning_signs-new-1"
    page.fill("#warning_signs-new-1", "Lying awake after 3 am")
    page.fill("#triggers-new-1", "The anniversary in March")
    page.fill("#contacts-new-1", "Crisis line 0800 000 111, any time")
    page.fill("#if_signs_return-new-1", "Tell my sister and book a session")
    page.click("button[value='remove:coping:1']")  # saves everything typed, minus "Old habit"
    page.wait_for_load_state()
    page.click("#save-plan")
    page.wait_for_selector("#saved")
    assert page.evaluate("document.documentElement.scrollWidth") <= 360  # no sideways scroll
    shot(page, "ending-2-client-plan-saved")
    assert errors == []

    plan = RelapsePlan.objects.get(pk=plan.pk)
    assert plan.section("warning_signs") == [
        "Cancelling plans with friends",
        "Lying awake after 3 am",
    ]
    assert plan.section("coping") == ["Ten minutes outside"]
    assert plan.section("triggers") == ["The anniversary in March"]
    assert plan.is_complete
    assert plan.changes.filter(by_client=True).exists()

    with page.expect_download() as download_info:
        page.click("#plan-pdf")
    download = download_info.value
    assert download.suggested_filename == "my-relapse-prevention-plan.pdf"
    with open(download.path(), "rb") as handle:
        reader = PdfReader(io.BytesIO(handle.read()))
    text = " ".join(p.extract_text() for p in reader.pages)
    assert "Cancelling plans with friends" in text
    assert "Lying awake after 3 am" in text
    assert "Crisis line 0800 000 111" in text
    assert "Old habit" not in text

    desk = browser.new_context(viewport={"width": 1280, "height": 900})
    staff = desk.new_page()
    staff.goto(f"{live_server.url}/accounts/login/")
    staff.fill("input[name=username]", "owner")
    staff.fill("input[name=password]", "pw-owner")
    staff.click("button[type=submit]")
    staff.goto(f"{live_server.url}/clients/{client_record.pk}/")
    notice = staff.locator("#plan-client-changes")
    assert "changed by the client on" in notice.inner_text()
    assert "warning signs" in notice.inner_text()
    shot(staff, "ending-3-client-page-panel")
    notice.locator("a").click()
    staff.wait_for_selector("#history")
    assert "added: “Lying awake after 3 am”" in staff.locator("#history").inner_text()
    shot(staff, "ending-4-plan-history")
