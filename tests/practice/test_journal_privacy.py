"""The journal stays private by construction: no admin, no other app reads it, no reverse
relation from the client, dumps carry only ciphertext; and its demo data."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

import numpy as np
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.core import serializers
from django.urls import reverse

from alliance.practice import demo
from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import Client
from alliance.practice.journal import demo as journal_demo
from alliance.practice.journal.models import JournalEntry
from tests.practice.conftest import login, make_client, make_user
from tests.practice.test_journal_access import SECRET, make_entry, supervise

SRC = Path(__file__).resolve().parents[2] / "src" / "alliance"
JOURNAL = SRC / "practice" / "journal"


def test_the_django_admin_has_no_journal_model(client, owner, client_record):
    assert not [m for m in admin.site._registry if m._meta.app_label == "journal"]
    make_entry(owner, client_record)
    root = get_user_model().objects.create_superuser("root", password="pw-root")
    login(client, root)
    assert client.get("/admin/journal/journalentry/").status_code == 404
    assert SECRET not in client.get("/admin/").content.decode()


def test_no_other_module_reads_the_journal():
    """Exports, studies, dashboards: nothing outside the journal app imports it (settings.py
    only reads the key, and urls.py mounts the views)."""
    allowed = {SRC / "practice" / "settings.py", SRC / "practice" / "urls.py"}
    pattern = re.compile(r"alliance\.practice\.journal|practice\s+import\s+journal|JournalEntry")
    readers = [
        path
        for path in SRC.rglob("*.py")
        if JOURNAL not in path.parents and path not in allowed and pattern.search(path.read_text())
    ]
    assert readers == []
    settings_text = (SRC / "practice" / "settings.py").read_text()
    assert "from alliance.practice.journal.keys import journal_keys" in settings_text
    assert "journal.models" not in settings_text


def test_only_the_staff_client_page_shows_the_journal_panel():
    templates = SRC / "practice" / "templates"
    using = sorted(
        str(p.relative_to(templates))
        for p in templates.rglob("*.html")
        if "journal_tags" in p.read_text() and "journal" not in p.relative_to(templates).parts
    )
    assert using == ["dashboard/client.html"]


def test_a_client_has_no_relation_that_reaches_journal_entries():
    assert not [f for f in Client._meta.get_fields() if f.related_model is JournalEntry]
    assert not [f for f in get_user_model()._meta.get_fields() if f.related_model is JournalEntry]


def test_a_database_dump_carries_only_ciphertext(owner, client_record):
    entry = make_entry(owner, client_record)
    dumped = serializers.serialize("json", JournalEntry.objects.all())
    assert SECRET not in dumped and entry.ciphertext in dumped
    assert SECRET not in str(entry) and SECRET not in repr(entry)


def test_the_journal_adds_demo_data(db):
    assert "journal" in demo.APPS_WITH_DEMO_DATA


def small_demo_practice() -> tuple[Organisation, dict]:
    org = Organisation.objects.create(name="Demo Practice", slug="demo", is_demo=True)
    users = {
        "demo": make_user("demo", org, role=Membership.Role.LEAD),
        **{name: make_user(name, org) for name in ("alex", "sam", "jo")},
    }
    for n in range(1, 9):
        make_client(org, users["alex" if n % 2 else "sam"], f"D{n:03d}", sessions=4)
    return org, users


def test_the_demo_gives_alex_private_entries_for_three_clients(client, db):
    org, users = small_demo_practice()
    journal_demo.seed(org, users, np.random.default_rng(1), date.today())
    entries = list(JournalEntry.objects.select_related("client", "session"))
    assert {e.author.username for e in entries} == {"alex"}
    assert len({e.client_id for e in entries}) == 3 and len(entries) == 4
    assert all(e.client.assignments.filter(practitioner=users["alex"]).exists() for e in entries)
    assert all(e.answers and e.session is not None for e in entries)
    assert all(e.created.date() == e.session.date for e in entries)
    assert not any(e.is_shared for e in entries)  # the demo has no supervisor
    login(client, users["demo"])
    page = client.get(reverse("dashboard:client", args=[entries[0].client_id]))
    assert "Reflection journal" not in page.content.decode()


def test_the_demo_shares_one_entry_when_alex_has_a_supervisor(db):
    org, users = small_demo_practice()
    supervise(make_user("kim", org, role=Membership.Role.SUPERVISOR), users["alex"])
    journal_demo.seed(org, users, np.random.default_rng(1), date.today())
    shared = JournalEntry.objects.exclude(shared_with=None)
    assert [e.shared_with.username for e in shared] == ["kim"]


def test_the_demo_writes_about_a_client_with_a_discrepancy_alert_first(db):
    from alliance.practice.dashboard.models import Alert

    org, users = small_demo_practice()
    client = Client.objects.get(code="D007")
    Alert.objects.create(
        client=client,
        episode=client.episodes.get(),
        kind="alliance_discrepancy",
        instrument_id="wai-sr",
        scale="goal",
        session=3,
        severity="warning",
        explanation="practitioner well above client",
    )
    journal_demo.seed(org, users, np.random.default_rng(1), date.today())
    first = JournalEntry.objects.order_by("pk").first()
    assert first.client == client
