"""Studies app: research consent on the client page, the research area and who may use it.

Three-user pattern: the owner practitioner records consent for their client, a colleague and an
outsider get 404; the research area is for researchers and clinical leads of the project's
organisation, everyone else gets 404 (anonymous visitors go to the login page).
"""

import re
from datetime import date, timedelta

import pytest
from django.urls import resolve, reverse
from django.utils import timezone

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import ResearchConsent
from alliance.practice.studies.models import ProjectExport, ResearchProject, organisation_key
from tests.practice.conftest import login, make_user


@pytest.fixture
def researcher(org):
    return make_user("researcher", org, role=Membership.Role.RESEARCHER)


@pytest.fixture
def lead(org):
    return make_user("lead", org, role=Membership.Role.LEAD)


@pytest.fixture
def project(org):
    return ResearchProject.objects.create(
        organisation=org,
        name="alliance-outcome",
        title="Alliance and outcome",
        instruments=["phq9"],
    )


def studies_urls(project, client_record) -> list[tuple[str, str]]:
    """Every URL of the studies app with its method (the meta test below keeps it complete)."""
    return [
        ("get", reverse("studies:projects")),
        ("get", reverse("studies:new_project")),
        ("post", reverse("studies:new_project")),
        ("get", reverse("studies:project", args=[project.pk])),
        ("get", reverse("studies:export", args=[project.pk])),
        ("get", reverse("studies:report", args=[project.pk])),
        ("post", reverse("studies:record_consent", args=[client_record.pk])),
    ]


def test_the_access_tests_walk_every_url_of_the_app(project, client_record):
    from alliance.practice.studies.urls import urlpatterns

    walked = {resolve(url).url_name for _, url in studies_urls(project, client_record)}
    assert {p.name for p in urlpatterns} == walked, "a new URL needs an access test"


# -- research consent -------------------------------------------------------------------------


def consent_url(client_record) -> str:
    return reverse("studies:record_consent", args=[client_record.pk])


def test_the_client_page_shows_the_consent_form(client, owner, client_record):
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert 'id="research-consent"' in page
    assert f'action="{consent_url(client_record)}"' in page
    assert "No research use" in page


def test_the_owner_records_consent_with_its_scope_and_date(client, owner, client_record):
    login(client, owner)
    day = timezone.localdate() - timedelta(days=3)
    response = client.post(
        consent_url(client_record), {"scope": "process_studies", "date": day.isoformat()}
    )
    assert response.status_code == 302
    assert response["Location"].endswith(f"/clients/{client_record.pk}/#research-consent")
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == ResearchConsent.PROCESS_STUDIES
    assert client_record.research_consent_date == day
    page = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "recorded sessions with interviews in process studies, since" in page


def test_withdrawing_consent_keeps_the_day_it_was_withdrawn(client, owner, client_record):
    login(client, owner)
    client.post(consent_url(client_record), {"scope": "deidentified", "date": "2026-01-05"})
    client.post(consent_url(client_record), {"scope": "none", "date": "2026-02-01"})
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == ResearchConsent.NONE
    assert client_record.research_consent_date == date(2026, 2, 1)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"scope": "everything", "date": "2026-01-05"}, "scope: everything is not allowed; "),
        ({"scope": "deidentified"}, "date: required: the day the client gave consent"),
        ({"scope": "deidentified", "date": "soon"}, "date: expected a date such as 2026-03-05"),
        ({"scope": "deidentified", "date": "2999-01-01"}, "2999-01-01 is in the future"),
    ],
)
def test_a_bad_consent_answers_400_naming_the_field_and_stores_nothing(
    client, owner, client_record, data, message
):
    login(client, owner)
    response = client.post(consent_url(client_record), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    if "everything" in message:
        assert "none, deidentified, process_studies" in response.content.decode()
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == ResearchConsent.NONE


@pytest.mark.parametrize("who", ["colleague", "outsider", "researcher"])
def test_only_who_sees_the_client_may_record_consent(client, request, client_record, who):
    login(client, request.getfixturevalue(who))
    response = client.post(
        consent_url(client_record), {"scope": "deidentified", "date": "2026-01-05"}
    )
    assert response.status_code == 404
    client_record.refresh_from_db()
    assert client_record.research_consent_scope == ResearchConsent.NONE


def test_recording_consent_needs_a_post(client, owner, client_record):
    login(client, owner)
    assert client.get(consent_url(client_record)).status_code == 405


# -- who may use the research area ------------------------------------------------------------


@pytest.mark.parametrize("who", ["researcher", "lead"])
def test_researchers_and_leads_see_the_projects_of_their_organisation(
    client, request, project, who
):
    login(client, request.getfixturevalue(who))
    page = client.get(reverse("studies:projects")).content.decode()
    assert "alliance-outcome" in page and "Alliance and outcome" in page
    assert client.get(reverse("studies:project", args=[project.pk])).status_code == 200
    caseload = client.get(reverse("dashboard:caseload")).content.decode()
    assert re.search(rf'<a href="{reverse("studies:projects")}"[^>]*>Research</a>', caseload)


@pytest.mark.parametrize("who", ["owner", "colleague", "outsider"])
def test_everyone_else_gets_404_on_every_url_of_the_app(
    client, request, project, client_record, other_org, who
):
    """The outsider is the clinical lead of another organisation: they have a research area
    of their own, but not this project, nor this client; a practitioner of another
    organisation has no research area at all."""
    user = request.getfixturevalue(who)
    login(client, user)
    for method, url in studies_urls(project, client_record):
        if url.endswith("/research-consent/") and who == "owner":
            continue  # the owner's own client: tested above
        if who == "outsider" and url in (
            reverse("studies:projects"),
            reverse("studies:new_project"),
        ):
            continue  # their own organisation's research area; see the next test
        response = getattr(client, method)(url, {"scope": "deidentified", "date": "2026-01-05"})
        assert response.status_code == 404, (who, method, url)
    if who != "outsider":
        caseload = client.get(reverse("dashboard:caseload")).content.decode()
        assert reverse("studies:projects") not in caseload
    assert not ProjectExport.objects.exists()


def test_a_lead_of_another_organisation_sees_none_of_its_projects_and_cannot_add_one(
    client, project, outsider, org, other_org
):
    login(client, outsider)
    page = client.get(reverse("studies:projects")).content.decode()
    assert "alliance-outcome" not in page and "No projects yet" in page
    response = client.post(
        reverse("studies:new_project"),
        {"organisation": org.pk, "name": "stolen", "title": "x", "instruments": ["phq9"]},
    )
    assert response.status_code == 400
    assert "Select a valid choice" in response.content.decode()
    assert not ResearchProject.objects.filter(name="stolen").exists()
    a_practitioner_elsewhere = make_user("far", other_org)
    login(client, a_practitioner_elsewhere)
    for url in (reverse("studies:projects"), reverse("studies:new_project")):
        assert client.get(url).status_code == 404


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, project, client_record):
    for method, url in studies_urls(project, client_record):
        response = getattr(client, method)(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith("/accounts/login/")


# -- projects -----------------------------------------------------------------------------------


def test_a_researcher_creates_a_project(client, researcher, org):
    login(client, researcher)
    form = client.get(reverse("studies:new_project")).content.decode()
    assert 'name="instruments"' in form and 'value="wai-sr"' in form
    response = client.post(
        reverse("studies:new_project"),
        {
            "organisation": org.pk,
            "name": "early-alliance",
            "title": "Early alliance",
            "instruments": ["wai-sr", "phq9"],
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
        },
    )
    project = ResearchProject.objects.get(name="early-alliance")
    assert response.status_code == 302
    assert response["Location"] == reverse("studies:project", args=[project.pk])
    assert project.organisation == org and project.created_by == researcher
    assert project.instruments == ["wai-sr", "phq9"]
    assert (project.period_start, project.period_end) == (date(2025, 1, 1), date(2025, 12, 31))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"name": "Early Alliance!"}, "expected lower-case letters and digits"),
        ({"name": "alliance-outcome"}, "a project of this name exists in the organisation"),
        ({"instruments": ["beck"]}, "beck is not an instrument; expected ids from"),
        ({"instruments": []}, "This field is required"),
        ({"period_start": "2025-06-01", "period_end": "2025-01-01"}, "on or after the start"),
        ({"period_start": "June"}, "Enter a valid date"),
    ],
)
def test_a_bad_project_answers_400_naming_the_field(client, lead, org, project, change, message):
    login(client, lead)
    data = {"organisation": org.pk, "name": "new-one", "title": "T", "instruments": ["phq9"]}
    response = client.post(reverse("studies:new_project"), data | change)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert ResearchProject.objects.count() == 1


def test_instruments_outside_the_registry_are_refused_by_the_model_too(org):
    from django.core.exceptions import ValidationError

    bad = ResearchProject(organisation=org, name="x", title="x", instruments=["phq9", "beck"])
    with pytest.raises(ValidationError, match=r"unknown \['beck'\]"):
        bad.full_clean()


def test_the_organisation_key_is_32_random_bytes_made_once(org, other_org):
    key = organisation_key(org)
    assert isinstance(key, bytes) and len(key) == 32
    assert organisation_key(org) == key
    assert organisation_key(other_org) != key


def test_the_report_of_a_project_without_data_says_why(client, researcher, project):
    login(client, researcher)
    response = client.get(reverse("studies:report", args=[project.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "No report for alliance-outcome yet" in page


def test_the_project_page_links_the_report_and_the_three_downloads(client, researcher, project):
    login(client, researcher)
    page = client.get(reverse("studies:project", args=[project.pk])).content.decode()
    assert f'href="{reverse("studies:report", args=[project.pk])}"' in page
    for fmt in ("csv", "parquet", "sav"):
        assert f'{reverse("studies:export", args=[project.pk])}?format={fmt}"' in page


def test_the_demo_seed_records_consent_for_85_percent_adds_riley_and_the_project(org, lead):
    import numpy as np

    from alliance.practice.studies import demo
    from tests.practice.conftest import make_client

    for n in range(1, 21):
        make_client(org, lead, f"D{n:03d}", sessions=1)
    today = timezone.localdate()
    demo.seed(org, {"demo": lead}, np.random.default_rng(1), today)
    consented = org.clients.exclude(research_consent_scope=ResearchConsent.NONE)
    assert consented.count() == 17
    assert all(c.research_consent_date <= today for c in consented)
    assert Membership.objects.get(user__username="riley").role == Membership.Role.RESEARCHER
    project = ResearchProject.objects.get(organisation=org)
    assert project.name == "alliance-outcome" and project.created_by == lead
    assert project.instruments[:4] == ["srs", "wai-sr", "ors", "phq9"]
