"""Alliance and progress by modality (client page and practice overview) and the child's and
caregivers' alliance side by side: shown to those who may see the clients, nobody else."""

import uuid

from django.urls import reverse

from alliance.measures import score
from alliance.practice.care.models import Caregiver, Modality, Session
from alliance.practice.collect.submit import store_response
from tests.practice.conftest import login, make_client


def answer(client, instrument_id, value, number, respondent="client", caregiver=None):
    inst_items = {"srs": 4, "phq9": 9, "tasc-p": 12}[instrument_id]
    answers = {f"{instrument_id.replace('-', '_')}_{n}": value for n in range(1, inst_items + 1)}
    episode = client.episodes.get()
    return store_response(
        score(instrument_id, answers),
        client=client,
        episode=episode,
        session=episode.sessions.get(number=number),
        respondent=respondent,
        caregiver=caregiver,
        submission_id=uuid.uuid4(),
    )


def test_the_overview_shows_alliance_and_progress_by_modality_for_visible_clients(
    client, org, owner, colleague
):
    c = make_client(org, owner, "C001", sessions=3)
    Session.objects.filter(episode__client=c, number=3).update(modality=Modality.VIDEO)
    for number, (phq, srs) in enumerate([(2, 9), (1, 9), (0, 7)], start=1):
        answer(c, "phq9", phq, number)  # PHQ-9 totals 18, 9, 0
        answer(c, "srs", srs, number)  # SRS totals 36, 36, 28
    login(client, owner)
    page = client.get(reverse("dashboard:modality_overview")).content.decode()
    # in person: SRS 36/40 = 90.0%, PHQ-9 18 -> 9 = +33.3; video: SRS 28/40 = 70.0% (low),
    # PHQ-9 9 -> 0 = +33.3
    assert "In person" in page and "Video" in page
    assert "90.0" in page and "70.0" in page and "+33.3" in page and "100%" in page
    detail = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert 'id="by-modality"' in detail and "70.0" in detail
    client.logout()
    login(client, colleague)  # not their client: nothing of it in their overview
    page = client.get(reverse("dashboard:modality_overview")).content.decode()
    assert "No scored sessions yet." in page and "90.0" not in page


def test_the_overview_needs_a_login(client):
    response = client.get(reverse("dashboard:modality_overview"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_outsiders_see_nothing_of_another_practice_in_the_overview(client, org, owner, outsider):
    c = make_client(org, owner, "C001", sessions=2)
    answer(c, "srs", 9, 1)
    login(client, outsider)
    page = client.get(reverse("dashboard:modality_overview")).content.decode()
    assert "No scored sessions yet." in page and "over the 0 clients" in page.lower()


def test_the_child_and_each_caregiver_are_side_by_side(client, org, owner):
    c = make_client(org, owner, "C001", sessions=2)
    mother = Caregiver.objects.create(client=c, name="Mother", relationship="mother")
    father = Caregiver.objects.create(client=c, name="Father", relationship="father")
    answer(c, "srs", 9.5, 1)
    answer(c, "tasc-p", 4, 1, respondent="caregiver", caregiver=mother)
    answer(c, "tasc-p", 1, 1, respondent="caregiver", caregiver=father)  # total 4: low
    answer(c, "srs", 9, 2)
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    section = page[page.index('id="caregiver-alliance"') :]
    section = section[: section.index("</section>")]
    headers = [h.split("<")[0].strip() for h in section.split('<th scope="col">')[2:]]
    assert headers == ["Child", "Father", "Mother"]
    assert section.count('<span class="flag">low</span>') == 1  # the father's TASC-P
    assert "38" in section and "33" in section and "27" in section


def test_without_caregiver_ratings_there_is_no_side_by_side_table(client, org, owner):
    c = make_client(org, owner, "C001", sessions=1)
    answer(c, "srs", 9, 1)
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert 'id="caregiver-alliance"' not in page


def test_each_caregiver_gets_their_own_chart_when_there_are_two(client, org, owner):
    c = make_client(org, owner, "C001", sessions=2)
    mum = Caregiver.objects.create(client=c, name="Mum", relationship="mother")
    dad = Caregiver.objects.create(client=c, name="Dad", relationship="father")
    for number in (1, 2):
        answer(c, "tasc-p", 4, number, respondent="caregiver", caregiver=mum)
        answer(c, "tasc-p", 1, number, respondent="caregiver", caregiver=dad)
    login(client, owner)
    page = client.get(reverse("dashboard:client", args=[c.pk])).content.decode()
    assert "(caregiver: Mum)" in page and "(caregiver: Dad)" in page
