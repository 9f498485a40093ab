"""Process studies: who may see and do what.  Researchers and clinical leads of the
organisation manage its studies; a practitioner sees the studies their clients are in and the
interviews with themselves; an uninvolved colleague and an outsider get 404 everywhere."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.urls import resolve, reverse

from alliance.practice.accounts.models import Membership
from alliance.practice.process_studies.models import Interview, ProcessStudy, RecordedSession
from alliance.practice.process_studies.urls import urlpatterns
from tests.practice.conftest import login, make_user
from tests.practice.test_process_studies import (
    consenting_client,
    make_study,
    recorded_interviews,
    session_of,
)

SRC = Path(__file__).resolve().parents[2] / "src" / "alliance"


@dataclass
class Scene:
    study: ProcessStudy
    practitioner_interview: Interview
    client_interview: Interview
    unrecorded_session_pk: int


@pytest.fixture
def scene(org, owner, media) -> Scene:
    study = make_study(org, title="Recall after sessions 3 and 5")
    client = consenting_client(org, owner, "C001")
    interviews = recorded_interviews(study, client, 3)
    interviews["client"].notes = "SECRET NOTE about the bond"
    interviews["client"].transcript.save("t.txt", ContentFile(b"transcript text"))
    other = make_user("other", org)
    recorded_interviews(study, consenting_client(org, other, "C002"), 3)
    return Scene(study, interviews["practitioner"], interviews["client"], session_of(client, 5).pk)


@pytest.fixture
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def study_urls(scene: Scene) -> list[tuple[str, str, dict[str, str]]]:
    """Every URL of one study (method, url, data); the lists and the new-study page are
    walked separately below."""
    pk = scene.study.pk
    study_data = {"title": "Hijacked", "main_questions": "?", "sessions": "3", "window_hours": "1"}
    return [
        ("get", reverse("process_studies:study", args=[pk]), {}),
        ("get", reverse("process_studies:edit", args=[pk]), {}),
        ("post", reverse("process_studies:edit", args=[pk]), study_data),
        ("post", reverse("process_studies:enrol", args=[pk]), {"code": "C001"}),
        ("post", reverse("process_studies:record", args=[pk, scene.unrecorded_session_pk]), {}),
        *interview_urls(scene.client_interview),
    ]


def interview_urls(interview: Interview) -> list[tuple[str, str, dict[str, str]]]:
    pk = interview.pk
    return [
        ("get", reverse("process_studies:interview_done", args=[pk]), {}),
        ("post", reverse("process_studies:interview_done", args=[pk]), {"held_at": "2026-01-01"}),
        ("post", reverse("process_studies:interview_cancel", args=[pk]), {"reason": "x"}),
        ("get", reverse("process_studies:interview_transcript", args=[pk]), {}),
    ]


COLLECTION_URLS = ["list", "new", "my_interviews"]


def test_every_process_study_url_is_walked_by_the_access_tests(scene):
    walked = {resolve(url).url_name for _, url, _ in study_urls(scene)}
    assert {p.name for p in urlpatterns} == walked | set(COLLECTION_URLS)


def assert_nothing_changed(scene: Scene) -> None:
    study = ProcessStudy.objects.get(pk=scene.study.pk)
    assert study.title == "Recall after sessions 3 and 5" and study.window_hours == 48
    assert RecordedSession.objects.count() == 2 and study.participants.count() == 2
    assert set(Interview.objects.values_list("status", flat=True)) == {"due"}
    assert ProcessStudy.objects.filter(organisation=scene.study.organisation).count() == 1


@pytest.mark.parametrize("role", [Membership.Role.RESEARCHER, Membership.Role.LEAD])
def test_researchers_and_leads_of_the_organisation_open_every_page(client, org, scene, role):
    login(client, make_user("manager", org, role=role))
    for method, url, _ in study_urls(scene):
        if method == "get":
            assert client.get(url).status_code == 200, url
    for name in ("list", "new"):
        assert client.get(reverse(f"process_studies:{name}")).status_code == 200, name
    page = client.get(reverse("process_studies:study", args=[scene.study.pk])).text
    assert "C001" in page and "C002" in page and "SECRET NOTE" not in page  # notes: when done


@pytest.mark.parametrize("who", ["colleague", "outsider"])
def test_an_uninvolved_colleague_and_an_outsider_get_404_everywhere(client, request, scene, who):
    login(client, request.getfixturevalue(who))
    for method, url, data in study_urls(scene):
        assert getattr(client, method)(url, data).status_code == 404, (who, method, url)
    assert client.get(reverse("process_studies:my_interviews")).status_code == 404
    assert_nothing_changed(scene)


def test_an_uninvolved_colleague_has_no_study_list_and_cannot_create_studies(
    client, scene, colleague
):
    login(client, colleague)
    for name in ("list", "new"):
        assert client.get(reverse(f"process_studies:{name}")).status_code == 404, name
    assert client.post(reverse("process_studies:new"), {"title": "x"}).status_code == 404
    assert_nothing_changed(scene)


def test_an_outsider_lead_sees_only_their_own_organisations_studies(client, scene, outsider):
    login(client, outsider)
    page = client.get(reverse("process_studies:list"))
    assert page.status_code == 200 and scene.study.title not in page.text
    data = {"title": "Elsewhere", "main_questions": "?", "sessions": "3", "window_hours": "48"}
    assert client.post(reverse("process_studies:new"), data).status_code == 302
    assert ProcessStudy.objects.get(title="Elsewhere").organisation == outsider.memberships.get(
    ).organisation  # fmt: skip
    assert_nothing_changed(scene)


def test_a_practitioner_sees_their_clients_and_the_interviews_with_themselves_only(
    client, scene, owner
):
    login(client, owner)
    page = client.get(reverse("process_studies:study", args=[scene.study.pk]))
    assert page.status_code == 200
    assert "C001" in page.text and "C002" not in page.text
    assert f'id="interview-{scene.practitioner_interview.pk}"' in page.text
    assert f'id="interview-{scene.client_interview.pk}"' not in page.text
    assert "SECRET NOTE" not in page.text and "Mark done" not in page.text
    mine = client.get(reverse("process_studies:my_interviews"))
    assert mine.status_code == 200 and f"interview-{scene.practitioner_interview.pk}" in mine.text
    assert f"interview-{scene.client_interview.pk}" not in mine.text
    assert client.get(reverse("process_studies:list")).status_code == 200


def test_a_practitioner_cannot_manage_the_study_of_their_clients(client, scene, owner):
    login(client, owner)
    for method, url, data in study_urls(scene)[1:]:
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    for method, url, data in interview_urls(scene.practitioner_interview):
        assert getattr(client, method)(url, data).status_code == 404, (method, url)
    assert client.get(reverse("process_studies:new")).status_code == 404
    assert_nothing_changed(scene)


def test_an_anonymous_visitor_is_sent_to_the_login_page(client, scene):
    urls = [(m, u) for m, u, _ in study_urls(scene)]
    urls += [("get", reverse(f"process_studies:{name}")) for name in COLLECTION_URLS]
    for method, url in urls:
        response = getattr(client, method)(url)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_header_links_to_studies_for_managers_and_to_interviews_for_practitioners(
    client, org, scene, owner, colleague
):
    login(client, make_user("lead", org, role=Membership.Role.LEAD))
    assert ">Process studies</a>" in client.get(reverse("process_studies:list")).text
    login(client, owner)
    page = client.get(reverse("dashboard:caseload")).text
    assert ">My interviews</a>" in page and ">Process studies</a>" not in page
    login(client, colleague)
    page = client.get(reverse("dashboard:caseload")).text
    assert ">My interviews</a>" not in page and ">Process studies</a>" not in page


def test_the_research_export_does_not_read_process_study_tables():
    """Interview notes and transcripts never reach an export: neither the studies app nor the
    research library refers to this app."""
    for folder in (SRC / "practice" / "studies", SRC / "research"):
        for path in folder.rglob("*.py"):
            text = path.read_text()
            assert "process_studies" not in text, path
