"""Caseload dashboard and client page: content, flags on top, constant query counts."""

import uuid
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from alliance.measures import score
from alliance.practice.collect.models import Response
from alliance.practice.collect.submit import store_response
from tests.practice.conftest import login, make_client


def add_response(client, instrument_id, answers, days_ago=0, respondent="client"):
    episode = client.episodes.get()
    response = store_response(
        score(instrument_id, answers),
        client=client,
        episode=episode,
        session=episode.sessions.last(),
        respondent=respondent,
        submission_id=uuid.uuid4(),
    )
    Response.objects.filter(pk=response.pk).update(
        submitted_at=timezone.now() - timedelta(days=days_ago)
    )
    return response


def phq9(values):
    return {f"phq9_{n}": v for n, v in enumerate(values, start=1)}


def wai(value):
    return {f"wai_sr_{n}": value for n in range(1, 13)}


def populate(org, owner, n_clients, n_responses=3):
    for i in range(n_clients):
        c = make_client(org, owner, f"Q{i:04d}")
        for k in range(n_responses):
            add_response(c, "phq9", phq9([2] * 9), days_ago=n_responses - k)
            add_response(c, "wai-sr", wai(4), days_ago=n_responses - k)


def test_the_caseload_shows_latest_scores_change_and_flags_first(client, org, owner):
    calm = make_client(org, owner, "C001")
    add_response(calm, "phq9", phq9([2] * 9), days_ago=10)  # 18, moderately severe
    add_response(calm, "phq9", phq9([1] * 8 + [0]), days_ago=1)  # 8, mild
    add_response(calm, "wai-sr", wai(4), days_ago=1)  # 12 x 4 = 48
    risky = make_client(org, owner, "C002")
    add_response(risky, "phq9", phq9([1] * 8 + [2]), days_ago=2)  # item 9 = 2: risk flag
    login(client, owner)
    page = client.get(reverse("dashboard:caseload")).content.decode()
    assert page.index("C002") < page.index("C001")  # flagged first
    assert "risk_self_harm" in page
    assert '<span class="score">8</span>' in page and "mild" in page
    assert '<span class="change better">-10</span>' in page  # 18 -> 8 on the PHQ-9
    assert '<span class="score">48</span>' in page


def test_the_caseload_filters_and_sorts(client, org, owner):
    make_client(org, owner, "C001")
    flagged = make_client(org, owner, "C002")
    add_response(flagged, "phq9", phq9([0] * 8 + [1]))
    login(client, owner)
    page = client.get(reverse("dashboard:caseload"), {"flagged": "1"}).content.decode()
    assert "C002" in page and "C001" not in page
    page = client.get(reverse("dashboard:caseload"), {"q": "001"}).content.decode()
    assert "C001" in page and "C002" not in page
    page = client.get(reverse("dashboard:caseload"), {"sort": "code"}).content.decode()
    assert page.index("C001") < page.index("C002")


def test_an_htmx_request_gets_only_the_table(client, org, owner):
    make_client(org, owner, "C001")
    login(client, owner)
    partial = client.get(reverse("dashboard:caseload"), headers={"HX-Request": "true"})
    html = partial.content.decode()
    assert html.lstrip().startswith("<table")
    assert "<html" not in html


def test_the_client_page_shows_charts_answers_and_comments(client, org, owner):
    c = make_client(org, owner, "C001")
    add_response(c, "phq9", phq9([2] * 9), days_ago=7)
    r = add_response(c, "phq9", phq9([1] * 9), days_ago=1)
    Response.objects.filter(pk=r.pk).update(comment="Felt heard today")
    add_response(c, "wai-sr", wai(5))
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert page.count("<svg") == 2  # PHQ-9 course and WAI-SR goal/task/bond
    assert "Felt heard today" in page
    assert "phq9_1=1" in page
    assert "clinical cut-off 10" in page
    for scale in ("Agreement on goals", "Agreement on tasks", "Bond"):
        assert scale in page


def test_creating_an_invitation_shows_the_link_once(client, org, owner):
    c = make_client(org, owner, "C001")
    login(client, owner)
    response = client.post(
        reverse("dashboard:invite", args=[c.pk]), {"instrument": "gad7", "respondent": "client"}
    )
    assert response.status_code == 302
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert "/f/" in page
    again = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert 'aria-label="Invitation link"' not in again
    assert c.invitations.get().instrument_id == "gad7"


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"instrument": "nope"}, "unknown instrument"),
        ({"instrument": "gad7", "respondent": "boss"}, "expected client or caregiver"),
        ({"instrument": "gad7", "respondent": "caregiver"}, "choose one of this client"),
    ],
)
def test_a_bad_invitation_request_gets_400(client, org, owner, data, message):
    c = make_client(org, owner, "C001")
    login(client, owner)
    response = client.post(reverse("dashboard:invite", args=[c.pk]), data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not c.invitations.exists()


def test_a_practitioner_enters_a_paper_form_in_session(client, org, owner):
    c = make_client(org, owner, "C001")
    login(client, owner)
    url = reverse("dashboard:enter_response", args=[c.pk, "phq9"])
    assert 'name="phq9_9"' in client.get(url).content.decode()
    submission = str(uuid.uuid4())
    data = {**{k: str(v) for k, v in phq9([1] * 9).items()}, "submission_id": submission}
    assert client.post(url, data).status_code == 302
    assert client.post(url, data).status_code == 302  # a double submit stores one response
    stored = Response.objects.get()
    assert stored.source == "in_session" and stored.entered_by == owner
    bad = client.post(url, {**data, "phq9_1": "5", "submission_id": str(uuid.uuid4())})
    assert bad.status_code == 400
    assert Response.objects.count() == 1


def count_queries(django_client, url):
    with CaptureQueriesContext(connection) as queries:
        response = django_client.get(url)
    assert response.status_code == 200
    return len(queries.captured_queries)


def test_the_dashboard_query_count_does_not_grow_with_the_caseload(client, org, owner):
    login(client, owner)
    populate(org, owner, 10)
    small = count_queries(client, reverse("dashboard:caseload"))
    populate_more = 190
    for i in range(populate_more):
        c = make_client(org, owner, f"R{i:04d}", sessions=1)
        add_response(c, "phq9", phq9([1] * 9))
    large = count_queries(client, reverse("dashboard:caseload"))
    assert small == large <= 7  # with the header links of the other apps (one query)


def test_the_client_page_query_count_does_not_grow_with_the_history(client, org, owner):
    login(client, owner)
    short = make_client(org, owner, "C001", sessions=2)
    long = make_client(org, owner, "C002", sessions=20)
    for c, n in ((short, 2), (long, 20)):
        for k in range(n):
            add_response(c, "phq9", phq9([k % 4] * 9), days_ago=n - k)
            add_response(c, "wai-sr", wai(3 + k % 3), days_ago=n - k)
    url = lambda c: reverse("dashboard:client", args=[c.pk])  # noqa: E731
    assert count_queries(client, url(short)) == count_queries(client, url(long))


def test_a_practitioner_adds_a_client_with_the_default_plan(client, org, owner):
    login(client, owner)
    data = {"code": "N001", "preferred_language": "en", "kind": "coaching", "started": "2026-11-02"}
    response = client.post(reverse("dashboard:new_client"), data)
    assert response.status_code == 302
    from alliance.practice.care.models import Client

    new = Client.objects.get(code="N001")
    assert new.organisation == org and list(new.practitioners.all()) == [owner]
    plan = {(p.instrument_id, p.timing) for p in new.episodes.get().plan.all()}
    assert plan == {("ors", "before"), ("srs", "after")}
    again = client.post(reverse("dashboard:new_client"), data)
    assert again.status_code == 400
    assert "already exists" in again.content.decode()


def test_a_practitioner_adds_a_numbered_session(client, org, owner):
    c = make_client(org, owner, "C001", sessions=2)
    login(client, owner)
    url = reverse("dashboard:add_session", args=[c.pk])
    data = {"date": "2026-11-25", "status": "dna", "modality": "video", "note": ""}
    assert client.post(url, data).status_code == 302
    latest = c.episodes.get().sessions.order_by("number").last()
    assert (latest.number, latest.status, latest.modality) == (3, "dna", "video")
    bad = client.post(url, {**data, "status": "maybe"})
    assert bad.status_code == 400
    assert "status" in bad.content.decode()


def test_the_practitioner_chooses_what_the_client_sees_after_answering(client, org, owner):
    c = make_client(org, owner, "C001")
    login(client, owner)
    url = reverse("dashboard:client_view_settings", args=[c.pk])
    assert client.post(url, {"show_alliance": "on"}).status_code == 302
    episode = c.episodes.get()
    assert (episode.show_progress_to_client, episode.show_alliance_to_client) == (False, True)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert 'name="show_alliance" checked' in page
