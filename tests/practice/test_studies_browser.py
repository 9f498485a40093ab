"""End to end in Debian's Chromium: the practitioner records research consent on the client
page of a phone; the researcher follows the header's Research link to the project, sees the
client counted, and downloads the CSV zip.  Screenshots under build/screenshots/."""

import io
import zipfile
from datetime import timedelta

import pandas as pd
import pytest
from django.utils import timezone

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.studies.models import ResearchProject
from tests.practice.browser_support import needs_chromium, shot
from tests.practice.conftest import make_client, make_user
from tests.practice.studies_support import answer

pytestmark = [needs_chromium]


def log_in(page, url: str, username: str) -> None:
    page.goto(f"{url}/accounts/login/")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", f"pw-{username}")
    page.click("button[type=submit]")
    page.wait_for_load_state()


@pytest.mark.django_db(transaction=True)
def test_consent_recorded_on_a_phone_brings_the_client_into_the_researchers_download(
    live_server, browser
):
    org = Organisation.objects.create(name="Browser Practice", slug="browser")
    owner = make_user("owner", org)
    make_user("rowan", org, role=Membership.Role.RESEARCHER)
    record = make_client(org, owner, "B001", sessions=2)
    episode = record.episodes.get()
    for session in episode.sessions.all():
        answer(episode, session, "phq9", {"total": 12})
    project = ResearchProject.objects.create(
        organisation=org, name="browser-study", title="Browser study", instruments=["phq9"]
    )

    phone = browser.new_context(viewport={"width": 360, "height": 740}, is_mobile=True)
    page = phone.new_page()
    log_in(page, live_server.url, "owner")
    page.goto(f"{live_server.url}/clients/{record.pk}/")
    day = (timezone.localdate() - timedelta(days=1)).isoformat()
    page.select_option("#consent-scope", "deidentified")
    page.fill("#consent-date", day)
    page.click("#research-consent button[type=submit]")
    page.wait_for_selector("#research-consent")
    assert "De-identified data in the practice's research projects, since" in page.inner_text(
        "#research-consent"
    )
    too_wide = "[...document.querySelectorAll('#research-consent, #research-consent *')]"
    too_wide += ".filter(e => e.getBoundingClientRect().right > 360).length"
    assert page.evaluate(too_wide) == 0  # the panel fits the phone (the page's tables may not)
    shot(page, "studies-1-consent")

    desk = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    researcher = desk.new_page()
    log_in(researcher, live_server.url, "rowan")
    researcher.click("nav >> text=Research")
    researcher.click("text=browser-study")
    researcher.wait_for_selector("#included")
    assert researcher.inner_text("#n-clients") == "1"
    assert researcher.inner_text("#n-responses") == "2"
    shot(researcher, "studies-2-project")
    with researcher.expect_download() as download:
        researcher.click("#download >> text=csv")
    archive = zipfile.ZipFile(io.BytesIO(download.value.path().read_bytes()))
    long = pd.read_csv(io.BytesIO(archive.read("browser-study-csv/long.csv")))
    assert len(long) == 2 and long["pid"].nunique() == 1
    assert "B001" not in archive.read("browser-study-csv/long.csv").decode()
    assert project.exports.get().exported_by.username == "rowan"
