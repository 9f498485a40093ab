"""Issue 5 acceptance on the demo practice (``seed_demo``, seeded once for this module):

- ``alliance export --project alliance-outcome`` in CSV, Parquet and SPSS holds no client
  names, codes, e-mail addresses, phone numbers, free text (comments, session notes,
  preferences) and no real dates, and only the clients whose research consent is recorded;
- the researcher riley gets 404 on every client page, in-session view and alert URL of every
  demo client, and an outsider gets 404 on every URL of the studies app.

The demo clients are known by codes only, so the test first gives every one of them a name,
contact details, preferences, comments on their answers and notes on their sessions (and a
caregiver a name): the export must leave all of them out.  The check is
``alliance.research.deidentify.find_identifiers`` (whole-word, case-insensitive, phone numbers
with any separators, dates in six spellings) plus an ISO-date pattern over every cell.
"""

import json
import re

import pandas as pd
import pyreadstat
import pytest
from django.db import transaction
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from django.utils import timezone

from alliance.cli import main
from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import Client
from alliance.practice.collect.models import Response
from alliance.practice.demo import seed_demo
from alliance.practice.studies.demo import PROJECT_NAME
from alliance.practice.studies.models import CONSENTED_SCOPES, ResearchProject, organisation_key
from alliance.research.deidentify import pseudonym
from tests.practice.conftest import make_user
from tests.practice.studies_identifiers import (
    DATE_ANYHOW,
    ISO_DATE,
    identifying_cells,
    plant_identifiers,
)
from tests.practice.test_access import client_scoped_urls


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The demo practice with planted identifiers, rolled back after the module."""
    with django_db_blocker.unblock(), transaction.atomic():
        org = seed_demo()
        planted = plant_identifiers(org)
        yield org, planted
        transaction.set_rollback(True)


def consented_with_data(org: Organisation, project: ResearchProject) -> set[int]:
    """Clients whose consent is recorded and who answered one of the project's instruments
    (independently of the export code)."""
    return set(
        Response.objects.filter(
            client__organisation=org,
            client__research_consent_scope__in=CONSENTED_SCOPES,
            client__research_consent_date__lte=timezone.localdate(),
            instrument_id__in=project.instruments,
        ).values_list("client_id", flat=True)
    )


def read_tables(folder, fmt: str) -> dict[str, pd.DataFrame]:
    tables = {}
    for name in ("long", "wide", "episodes"):
        path = folder / f"{name}.{fmt}"
        if fmt == "csv":
            tables[name] = pd.read_csv(path, dtype=str, keep_default_na=False)
        elif fmt == "parquet":
            tables[name] = pd.read_parquet(path)
        else:
            tables[name], meta = pyreadstat.read_sav(str(path))
            labels = [*meta.column_labels, *map(str, meta.variable_value_labels.values())]
            tables[f"{name} labels"] = pd.DataFrame({"label": [str(t) for t in labels]})
    tables["codebook.csv"] = pd.read_csv(folder / "codebook.csv", dtype=str)
    for name in ("codebook.json", "README.txt"):
        lines = (folder / name).read_text(encoding="utf-8").splitlines()
        tables[name] = pd.DataFrame({"line": lines})
    return tables


@pytest.mark.django_db
@pytest.mark.parametrize("fmt", ["csv", "parquet", "sav"])
def test_the_demo_export_holds_no_identifiers_and_only_consented_clients(
    demo, tmp_path, monkeypatch, capsys, fmt
):
    org, planted = demo
    monkeypatch.setattr("alliance.practice.commands.setup_django", lambda data_dir: None)
    argv = ["export", "--project", PROJECT_NAME, "--format", fmt, "--output", str(tmp_path)]
    assert main(argv) == 0
    printed = capsys.readouterr().out.split()
    assert len(printed) == 6 and all(p.startswith(str(tmp_path)) for p in printed)
    tables = read_tables(tmp_path, fmt)
    hits = identifying_cells(tables, planted)
    assert hits.empty, f"{len(hits)} identifying cells; kinds {set(hits['kind'])}"
    for name, table in tables.items():
        for column in table.columns:
            cells = table[column].astype(str)
            assert not pd.api.types.is_datetime64_any_dtype(table[column]), (name, column)
            assert not cells.str.contains(ISO_DATE).any(), (name, column)
            assert not cells.str.contains(DATE_ANYHOW).any(), (name, column)
    assert len(planted["dates"]) > 300 and len(planted["codes"]) == 210

    project = ResearchProject.objects.get(organisation=org, name=PROJECT_NAME)
    key = organisation_key(org)
    included = consented_with_data(org, project)
    long = tables["long"]
    assert long["pid"].nunique() == len(included)
    assert set(long["pid"]) == {pseudonym(key, PROJECT_NAME, pk) for pk in included}
    assert set(tables["episodes"]["pid"]) == set(long["pid"])
    others = Client.objects.filter(organisation=org).exclude(pk__in=included)
    assert others.count() >= 25  # about 15% of the 210 clients gave no consent
    assert set(long["pid"]).isdisjoint(pseudonym(key, PROJECT_NAME, c.pk) for c in others)
    codebook = json.loads((tmp_path / "codebook.json").read_text())
    assert {"practitioner", "ending_reason"} <= {v["variable"] for v in codebook["variables"]}


@pytest.mark.django_db
def test_the_demo_has_consent_for_most_clients_a_researcher_and_the_project(demo):
    org, _ = demo
    clients = Client.objects.filter(organisation=org)
    consented = clients.filter(research_consent_scope__in=CONSENTED_SCOPES)
    # 85% from this app's seed; the process-studies seed may raise a few more
    assert 0.85 * clients.count() - 1 <= consented.count() <= 0.9 * clients.count()
    assert consented.filter(research_consent_date__lte=timezone.localdate()).count() == (
        consented.count()
    )
    assert {c.code[0] for c in consented} == {"D", "P"}
    assert set(consented.values_list("research_consent_scope", flat=True)) == set(CONSENTED_SCOPES)
    riley = Membership.objects.get(user__username="riley", organisation=org)
    assert riley.role == Membership.Role.RESEARCHER
    project = ResearchProject.objects.get(organisation=org, name=PROJECT_NAME)
    assert {"srs", "wai-sr", "ors", "phq9", "tasc-p"} <= set(project.instruments)
    assert project.period_start is None and project.period_end is None


def client_urls_of_every_app(client: Client) -> list[str]:
    """Every route of the site under clients/<int:pk>/ that takes only the client's pk."""
    found = []

    def walk(patterns, prefix=""):
        for p in patterns:
            route = prefix + str(p.pattern)
            if isinstance(p, URLResolver):
                walk(p.url_patterns, route)
            elif (
                isinstance(p, URLPattern)
                and route.startswith("clients/<int:pk>/")
                and set(p.pattern.converters) == {"pk"}
            ):
                found.append("/" + route.replace("<int:pk>", str(client.pk)))

    walk(get_resolver().url_patterns)
    return found


@pytest.mark.django_db
def test_the_researcher_gets_404_on_every_client_page_of_the_demo(demo, client):
    org, planted = demo
    riley = Membership.objects.get(user__username="riley").user
    client.force_login(riley)
    clients = list(Client.objects.filter(organisation=org))
    assert len(clients) == 210
    for record in clients:
        for method, url in client_scoped_urls(record):
            assert getattr(client, method)(url).status_code == 404, url
    for record in clients[:5]:  # the pages of the other apps too
        for url in client_urls_of_every_app(record):
            assert client.get(url).status_code in (404, 405), url
            assert client.post(url).status_code == 404, url
    caseload = client.get(reverse("dashboard:caseload")).content.decode()
    alerts = client.get(reverse("dashboard:alerts")).content.decode()
    assert not any(re.search(rf"\b{code}\b", caseload + alerts) for code in planted["codes"])


@pytest.mark.django_db
def test_the_researcher_sees_the_project_and_its_report_without_identifiers(demo, client):
    org, planted = demo
    client.force_login(Membership.objects.get(user__username="riley").user)
    project = ResearchProject.objects.get(organisation=org, name=PROJECT_NAME)
    pages = [
        client.get(reverse("studies:projects")),
        client.get(f"/research/projects/{project.pk}/"),
    ]
    report = client.get(reverse("studies:report", args=[project.pk]))
    assert report.status_code == 200 and report["Content-Type"].startswith("text/html")
    assert "<html" in report.content.decode() and "<svg" in report.content.decode()
    for page in [*pages, report]:
        assert page.status_code == 200
        text = page.content.decode()
        for value in [*planted["codes"], *planted["names"][:20], *planted["contacts"][:20]]:
            assert not re.search(rf"\b{re.escape(value)}\b", text), value
    included = len(consented_with_data(org, project))
    assert f'id="n-clients">{included}<' in pages[1].content.decode()


@pytest.mark.django_db
def test_an_outsider_gets_404_on_every_studies_url_of_the_demo(demo, client, other_org):
    org, _ = demo
    outsider = make_user("outsider-lead", other_org, role=Membership.Role.LEAD)
    client.force_login(outsider)
    project = ResearchProject.objects.get(organisation=org, name=PROJECT_NAME)
    record = Client.objects.filter(organisation=org).first()
    for name in ("project", "export", "report"):
        assert client.get(reverse(f"studies:{name}", args=[project.pk])).status_code == 404
    consent = reverse("studies:record_consent", args=[record.pk])
    assert client.post(consent, {"scope": "none"}).status_code == 404
    listing = client.get(reverse("studies:projects")).content.decode()
    assert PROJECT_NAME not in listing
    client.force_login(make_user("outsider-practitioner", other_org))
    for url in (reverse("studies:projects"), reverse("studies:new_project")):
        assert client.get(url).status_code == 404


def test_the_identifier_check_catches_planted_values_of_every_kind():
    from datetime import date

    planted = {
        "names": ["Ottoline Quarrington"],
        "codes": ["D001"],
        "contacts": ["o.q@example.org", "+44 7700 900001"],
        "texts": ["Explored the grief about Aunt Perpetua"],
        "dates": [date(2025, 3, 5)],
    }
    for cell in [
        "seen OTTOLINE  quarrington",
        "D001",
        "mail O.Q@example.org",
        "07700 900 001",
        "explored the grief about aunt perpetua",
        "05/03/2025",
        "20250305",
        "2025-03-05 10:20",
    ]:
        hits = identifying_cells({"t": pd.DataFrame({"x": ["clean", cell]})}, planted)
        assert not hits.empty, cell
    clean = pd.DataFrame({"x": ["clean", "D0011", "p2evz2lebc3b4", "Ottolines", 12.0]})
    assert identifying_cells({"t": clean}, planted).empty
