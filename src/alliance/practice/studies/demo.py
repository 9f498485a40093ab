"""Demo data of the studies app: research consent, a researcher and one research project.

* Research consent for 85% of the demo clients (current ``D*`` and past ``P*``), drawn without
  replacement: scope de-identified (70%) or process studies (30%), dated 0-14 days after
  the start of the client's first episode (never after today).  The other 15% have none and
  are never exported.
* ``riley`` (password ``demo``): a researcher of the demo organisation; sees the research
  area, no client pages.
* The project ``alliance-outcome`` over all time, with the alliance, outcome and wellbeing
  instruments (``DEMO_INSTRUMENTS``) and any other instrument the demo clients answered.
"""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db.models import Min

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import Client, ResearchConsent
from alliance.practice.collect.models import Response
from alliance.practice.studies.models import ResearchProject

CONSENT_SHARE = 0.85
PROCESS_STUDIES_SHARE = 0.3
PROJECT_NAME = "alliance-outcome"
DEMO_INSTRUMENTS = ("srs", "wai-sr", "ors", "phq9", "gad7", "who5", "swls", "flourishing")


def seed(org: Organisation, users: dict, rng: np.random.Generator, today: date) -> None:
    clients = list(Client.objects.filter(organisation=org).annotate(start=Min("episodes__started")))
    clients.sort(key=lambda c: c.code)
    chosen = rng.choice(len(clients), size=round(CONSENT_SHARE * len(clients)), replace=False)
    for index in sorted(chosen.tolist()):
        client = clients[index]
        process = rng.random() < PROCESS_STUDIES_SHARE
        client.research_consent_scope = (
            ResearchConsent.PROCESS_STUDIES if process else ResearchConsent.DEIDENTIFIED
        )
        start = client.start or today
        client.research_consent_date = min(start + timedelta(days=int(rng.integers(0, 15))), today)
    Client.objects.bulk_update(clients, ["research_consent_scope", "research_consent_date"])

    riley = get_user_model().objects.create_user(
        username="riley", password="demo", first_name="Riley (researcher)"
    )
    Membership.objects.create(user=riley, organisation=org, role=Membership.Role.RESEARCHER)
    users["riley"] = riley

    answered = (
        Response.objects.filter(client__organisation=org)
        .order_by()
        .values_list("instrument_id", flat=True)
    )
    extra = sorted(set(answered.distinct()) - set(DEMO_INSTRUMENTS))
    project = ResearchProject(
        organisation=org,
        name=PROJECT_NAME,
        title="The alliance and the outcome of therapy and coaching in the demo practice",
        description="Do clients who rate the alliance (goals, tasks, bond) higher improve more? "
        "All consented clients, all time.",
        instruments=[*DEMO_INSTRUMENTS, *extra],
        created_by=users.get("demo"),
    )
    project.full_clean()
    project.save()
