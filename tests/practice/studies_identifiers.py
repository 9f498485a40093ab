"""Identifiers planted in the demo practice, and the check that finds them in exported
tables (``find_identifiers`` behind a fast screen)."""

import re

import pandas as pd
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Caregiver, Client, Episode, Session
from alliance.practice.collect.models import Response
from alliance.research.deidentify import find_identifiers

FIRST = ["Ottoline", "Bartholomew", "Zephyrine", "Leocadia", "Ignatius", "Philippa", "Casimir"]
LAST = ["Quarrington", "Thistlewood", "Abernethy", "Oyelaran", "Pemberton", "Wojciechowska"]
ISO_DATE = re.compile(r"(?<!\d)(?:19|20)\d\d-[01]\d-[0-3]\d(?!\d)")
DATE_ANYHOW = re.compile(r"(?<!\d)\d{1,2}[/.-]\d{1,2}[/.-](?:19|20)\d\d(?!\d)")


def plant_identifiers(org: Organisation) -> dict[str, list]:
    """Give the demo clients identifying details; return them by kind."""
    clients = list(Client.objects.filter(organisation=org).order_by("code"))
    for n, client in enumerate(clients):
        first, last = FIRST[n % len(FIRST)], LAST[(n // len(FIRST)) % len(LAST)]
        client.name = f"{first} {last}"
        client.contact_email = f"{first}.{last}{n}@example.org".lower()
        client.contact_phone = f"+44 7700 9{n:05d}"
        client.preferences = f"Please call me {first}; mornings suit me best"
        client.cultural_background = f"Grew up near Lake Ohrid with {last} grandparents"
    Client.objects.bulk_update(
        clients,
        ["name", "contact_email", "contact_phone", "preferences", "cultural_background"],
    )
    Caregiver.objects.filter(client__organisation=org).update(name="Wilhelmina Featherstonehaugh")
    Response.objects.filter(client__organisation=org, instrument_id="phq9").update(
        comment="Slept badly after the row with Gwendolyn"
    )
    Session.objects.filter(episode__client__organisation=org).update(
        note="Explored the grief about Aunt Perpetua"
    )
    texts = [
        "Wilhelmina Featherstonehaugh",
        "Slept badly after the row with Gwendolyn",
        "Explored the grief about Aunt Perpetua",
        *{c.preferences for c in clients},
        *{c.cultural_background for c in clients},
    ]
    days = set(
        Session.objects.filter(episode__client__organisation=org).values_list("date", flat=True)
    )
    days |= set(Episode.objects.filter(client__organisation=org).values_list("started", flat=True))
    days |= {c.research_consent_date for c in clients if c.research_consent_date}
    answered = Response.objects.filter(client__organisation=org).values_list("submitted_at")
    days |= {timezone.localdate(moment) for (moment,) in answered}
    return {
        "names": [c.name for c in clients] + FIRST + LAST,
        "codes": [c.code for c in clients],
        "contacts": [c.contact_email for c in clients] + [c.contact_phone for c in clients],
        "texts": texts,
        "dates": sorted(days),
    }


def identifying_cells(tables: dict[str, pd.DataFrame], planted: dict[str, list]) -> pd.DataFrame:
    """``find_identifiers`` over every distinct cell and column name of the tables.

    Searching ~2,000 cells for ~1,700 planted values one by one takes minutes, so a screen
    that can only over-report picks the cells to search: the cell, lower-cased with runs of
    spaces collapsed, contains a planted text; or its digits alone contain a planted phone
    number's national digits or a planted date as YYYYMMDD, DDMMYYYY or MMDDYYYY (every
    spelling ``find_identifiers`` knows reduces to one of those).
    """
    cells = {str(c) for t in tables.values() for c in t.columns}
    cells |= {str(v) for t in tables.values() for c in t.columns for v in t[c].unique()}
    texts = [
        " ".join(str(v).lower().split()) for k in ("names", "codes", "texts") for v in planted[k]
    ]
    texts += [v.lower() for v in planted["contacts"] if "@" in v]
    digits = [re.sub(r"\D", "", v)[2:] for v in planted["contacts"] if "@" not in v]
    digits += [f"{d:%Y%m%d}" for d in planted["dates"]] + [f"{d:%d%m%Y}" for d in planted["dates"]]
    digits += [f"{d:%m%d%Y}" for d in planted["dates"]]
    suspects = []
    for cell in cells:
        flat, numbers = " ".join(cell.lower().split()), re.sub(r"\D", "", cell)
        if any(t in flat for t in texts) or (
            len(numbers) >= 8 and any(d in numbers for d in digits)
        ):
            suspects.append(cell)
    forbidden = [*planted["names"], *planted["codes"], *planted["contacts"], *planted["texts"]]
    return find_identifiers(
        pd.DataFrame({"cell": suspects}, dtype=object), forbidden + planted["dates"]
    )
