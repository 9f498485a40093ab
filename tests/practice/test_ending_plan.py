"""The relapse-prevention plan: written in session, updated by the client through their link,
every change kept (who, when, which section), shown to the practitioner, and a PDF in the
client's language."""

import html
import io
import re

import pytest
from django.urls import reverse

from alliance.practice.ending.models import PlanChange, PlanLink, RelapsePlan
from alliance.practice.ending.sections import SECTION_IDS, TEXTS, language_for
from alliance.practice.ending.worksheet import MAX_ENTRIES, MAX_ENTRY_CHARS, plan_for, save_plan
from tests.practice.conftest import login


@pytest.fixture
def episode(client_record):
    return client_record.episodes.get()


@pytest.fixture
def plan_url(client_record, episode):
    return reverse("ending:plan", args=[client_record.pk, episode.pk])


@pytest.fixture
def plan_link(episode):
    """(plan, token) of a plan the client can open."""
    plan = plan_for(episode)
    _, token = PlanLink.issue(plan)
    return plan, token


def pdf_text(content: bytes) -> str:
    from pypdf import PdfReader

    reader = PdfReader(io.BytesIO(content))
    return " ".join(page.extract_text() for page in reader.pages)


def test_the_practitioner_writes_the_plan_in_session(client, owner, plan_url, episode):
    login(client, owner)
    response = client.post(
        plan_url,
        {
            "warning_signs": ["Skipping breakfast", "", "  Staying in bed after 10  "],
            "coping": ["Walk round the park"],
            "action": "save",
        },
    )
    assert response.status_code == 302 and response["Location"].endswith("?saved=1")
    plan = RelapsePlan.objects.get(episode=episode)
    assert plan.section("warning_signs") == ["Skipping breakfast", "Staying in bed after 10"]
    assert plan.section("coping") == ["Walk round the park"]
    assert plan.revision == 1
    changes = {c.section: c for c in plan.changes.all()}
    assert set(changes) == {"warning_signs", "coping"}  # one row per changed section
    assert changes["coping"].changed_by == owner and not changes["coping"].by_client
    assert changes["coping"].before == [] and changes["coping"].after == ["Walk round the park"]
    page = client.get(response["Location"]).content.decode()
    assert "Saved." in page and "Skipping breakfast" in page


def test_adding_a_line_saves_and_puts_the_cursor_on_a_new_empty_line_there(
    client, owner, plan_url, episode
):
    login(client, owner)
    response = client.post(plan_url, {"triggers": ["Mondays", ""], "action": "add:triggers"})
    assert response["Location"].endswith("?add=triggers")
    assert plan_for(episode).section("triggers") == ["Mondays"]
    page = client.get(response["Location"]).content.decode()
    assert len(re.findall(r'<textarea id="triggers-', page)) == 2  # Mondays + an empty line
    assert re.search(r'<textarea id="triggers-new-1"[^>]* autofocus>', page)
    assert len(re.findall(r"autofocus", page)) == 1


def test_removing_a_line_saves_the_section_without_it(client, owner, plan_url, episode):
    login(client, owner)
    plan = plan_for(episode)
    save_plan(plan, {"people": ["Sam", "Ana", "Jo"]}, by_client=False, user=owner)
    response = client.post(
        plan_url,
        {"people": ["Sam", "Ana", "Jo", ""], "action": "remove:people:1", "revision": "1"},
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.section("people") == ["Sam", "Jo"]
    assert plan.changes.first().removed == ["Ana"]


@pytest.mark.parametrize(
    ("data", "named"),
    [
        ({"coping": "x" * (MAX_ENTRY_CHARS + 1)}, "coping (Coping strategies that worked)"),
        ({"proud": [f"line {n}" for n in range(MAX_ENTRIES + 1)]}, "at most 20 lines"),
        ({"action": "remove:coping:x"}, "action:"),
        ({"action": "add:diary"}, "unknown section 'diary'"),
        ({"action": "remove:people:5", "people": ["one"]}, "line 5 of people does not exist"),
        ({"revision": "two"}, "revision: expected a whole number"),
    ],
)
def test_bad_input_is_refused_with_400_naming_the_field(
    client, owner, plan_url, episode, data, named
):
    login(client, owner)
    response = client.post(plan_url, {"action": "save", **data})
    assert response.status_code == 400
    assert named in html.unescape(response.content.decode())
    assert not PlanChange.objects.exists()


def test_a_refused_form_comes_back_with_what_was_typed(client, owner, plan_url):
    login(client, owner)
    response = client.post(
        plan_url,
        {"warning_signs": "Not answering the phone", "coping": "y" * 400, "action": "save"},
    )
    assert response.status_code == 400
    assert "Not answering the phone" in response.content.decode()


def test_the_client_updates_their_copy_and_the_practitioner_sees_the_change(
    client, owner, plan_link, client_record, episode, plan_url
):
    plan, token = plan_link
    save_plan(plan, {"coping": ["Breathing exercise"]}, by_client=False, user=owner)
    url = reverse("ending:client_plan", args=[token])
    page = client.get(url)
    assert page.status_code == 200 and "Breathing exercise" in page.content.decode()
    response = client.post(
        url,
        {
            "coping": ["Breathing exercise", "Call my sister"],
            "warning_signs": ["Snapping at people"],
            "action": "save",
            "revision": str(plan.revision),
        },
    )
    assert response.status_code == 302
    plan.refresh_from_db()
    assert plan.section("coping") == ["Breathing exercise", "Call my sister"]
    by_client = plan.changes.filter(by_client=True)
    assert {c.section for c in by_client} == {"coping", "warning_signs"}
    assert all(c.changed_by is None for c in by_client)
    assert by_client.get(section="coping").added == ["Call my sister"]

    login(client, owner)
    client_page = client.get(reverse("dashboard:client", args=[client_record.pk])).content
    panel = client_page.decode()
    assert "changed by the client on" in panel
    assert "warning signs, coping strategies" in panel
    history = client.get(plan_url).content.decode()
    assert 'class="by-client unseen"' in history and "added: “Call my sister”" in history

    client.post(reverse("ending:plan_seen", args=[client_record.pk, episode.pk]))
    panel = client.get(reverse("dashboard:client", args=[client_record.pk])).content.decode()
    assert "changed by the client on" not in panel
    assert "unseen" not in client.get(plan_url).content.decode()


def test_a_form_posted_for_an_older_revision_is_not_saved_over_newer_changes(
    client, owner, plan_link
):
    plan, token = plan_link
    shown_revision = plan.revision
    save_plan(plan, {"proud": ["Went back to work"]}, by_client=False, user=owner)
    response = client.post(
        reverse("ending:client_plan", args=[token]),
        {"proud": ["Learned to say no"], "action": "save", "revision": str(shown_revision)},
    )
    assert response.status_code == 409
    assert "Learned to say no" in response.content.decode()  # nothing typed is lost
    plan.refresh_from_db()
    assert plan.section("proud") == ["Went back to work"]
    assert f'name="revision" value="{plan.revision}"' in response.content.decode()


def test_saving_unchanged_sections_records_no_change(owner, episode):
    plan = plan_for(episode)
    save_plan(plan, {"coping": ["Swim"]}, by_client=False, user=owner)
    changes = save_plan(plan, {"coping": ["Swim"], "proud": []}, by_client=True)
    assert changes == [] and plan.revision == 1 and plan.changes.count() == 1


def test_the_plan_is_complete_when_every_required_section_has_an_entry(owner, episode):
    plan = plan_for(episode)
    save_plan(plan, {"warning_signs": ["a"], "coping": ["b"]}, by_client=False, user=owner)
    assert not plan.is_complete and plan.completed_at is None
    assert plan.missing_required == ["contacts", "if_signs_return"]
    save_plan(plan, {"contacts": ["GP"], "if_signs_return": ["Call"]}, by_client=True)
    assert plan.is_complete and plan.completed_at is not None
    save_plan(plan, {"coping": []}, by_client=True)
    assert not plan.is_complete and plan.completed_at is None


def test_the_pdf_holds_the_clients_entries_with_the_crisis_contacts_first(
    client, owner, plan_url, episode
):
    plan = plan_for(episode)
    save_plan(
        plan,
        {
            "warning_signs": ["Not opening my post", "Sleeping past noon"],
            "contacts": ["Crisis line 0800 000 111"],
            "proud": ["Finished the course"],
        },
        by_client=False,
        user=owner,
    )
    login(client, owner)
    response = client.get(plan_url + "pdf/")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    assert response["Content-Disposition"].startswith("inline;")
    text = pdf_text(response.content)
    for words in ("Not opening my post", "Sleeping past noon", "Finished the course"):
        assert words in text
    assert text.index("If you need help now") < text.index("Crisis line 0800 000 111")
    assert text.index("Crisis line 0800 000 111") < text.index("My personal warning signs")
    assert "If you are in immediate danger, call your local emergency number." in text
    download = client.get(plan_url + "pdf/?download=1")
    assert download["Content-Disposition"].startswith("attachment;")
    assert "relapse-prevention-plan-C001.pdf" in download["Content-Disposition"]


def test_the_pdf_and_the_client_page_are_in_the_clients_language(
    client, owner, client_record, plan_link
):
    client_record.preferred_language = "es-MX"
    client_record.save()
    plan, token = plan_link
    save_plan(plan, {"warning_signs": ["Dejo de cocinar"]}, by_client=False, user=owner)
    page = client.get(reverse("ending:client_plan", args=[token])).content.decode()
    assert '<html lang="es">' in page and "Mis señales de alerta personales" in page
    text = pdf_text(client.get(reverse("ending:client_plan_pdf", args=[token])).content)
    assert "Mi plan de prevención de recaídas" in text and "Dejo de cocinar" in text
    assert "Si necesitas ayuda ahora" in text


def test_an_unknown_language_falls_back_to_english():
    assert language_for("fr") == language_for(None) == language_for("") == "en"
    assert language_for("ES") == language_for("es_ES") == "es"


def test_every_language_table_has_the_same_keys():
    english = set(TEXTS["en"])
    assert all(f"{s}_hint" in english and s in english for s in SECTION_IDS)
    for language, table in TEXTS.items():
        assert set(table) == english, language


def test_the_client_page_is_a_phone_page_without_the_staff_header(client, plan_link):
    _, token = plan_link
    page = client.get(reverse("ending:client_plan", args=[token])).content.decode()
    assert 'class="respondent"' in page
    assert 'class="top"' not in page and "Log out" not in page
    assert 'name="viewport"' in page
    for section in SECTION_IDS:
        assert f'name="{section}"' in page and f'value="add:{section}"' in page


def test_a_link_for_the_client_is_shown_once_to_the_practitioner(
    client, owner, client_record, episode, plan_url
):
    login(client, owner)
    response = client.post(reverse("ending:plan_link", args=[client_record.pk, episode.pk]))
    assert response.status_code == 302
    first = client.get(plan_url).content.decode()
    link = re.search(r'value="(http://testserver/relapse-plan/[^"]+/)"', first).group(1)
    assert "/relapse-plan/" in link
    assert link not in client.get(plan_url).content.decode()
    assert client.get(link).status_code == 200
