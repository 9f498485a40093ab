"""Demo journal entries: a few private reflections by the therapist "alex".

Three of alex's current clients get one or two entries each about recent sessions; a client
with an open "you rate the alliance well above the client" alert is chosen first when there
is one.  The first entry is shared with alex's supervisor when the demo practice has one (it
has none by default, so every entry stays private).  Log in as alex to see them on the
client pages; the lead ("demo") sees none of them.
"""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

import numpy as np
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client, Session
from alliance.practice.dashboard.models import Alert
from alliance.practice.journal.access import supervisor_of
from alliance.practice.journal.models import JournalEntry

N_CLIENTS = 3

REFLECTIONS: tuple[dict[str, str], ...] = (
    {
        "felt": "I left thinking the session had gone well and felt pleased with the plan.",
        "mine_or_theirs": "My sense of agreement may have been mine. The client was polite "
        "and quiet; I may have heard agreement where there was only politeness.",
        "in_my_work": "I moved on to the homework without asking how the task felt to them.",
        "for_supervision": "How to ask about disagreement so that it feels safe to say.",
    },
    {
        "felt": "Tired, and impatient when the same week was described again.",
        "mine_or_theirs": "The tiredness is mine (a long week). The sense of going round in "
        "circles may also be how the client feels about their life.",
        "in_my_work": "I offered suggestions early instead of staying with what was said.",
    },
    {
        "felt": "Warm and protective; I wanted to make things better quickly.",
        "mine_or_theirs": "The wish to rescue is familiar to me. The client may draw care "
        "from others and then feel let down by it.",
        "in_my_work": "I let the session run ten minutes over without saying so.",
        "for_supervision": "Keeping to time, and whether I do more of the work than we agreed.",
    },
    {
        "felt": "Calmer than last time; curious rather than worried.",
        "notes": "Noticed I was less keen to fix. Keep an eye on it.",
    },
)


def _chosen_clients(org: Organisation, alex: object, rng: np.random.Generator) -> list[Client]:
    clients = list(
        Client.objects.filter(organisation=org, is_active=True, assignments__practitioner=alex)
        .order_by("code")
        .distinct()
    )
    discrepant = set(
        Alert.objects.filter(
            client__in=clients, kind="alliance_discrepancy", acknowledged_at__isnull=True
        ).values_list("client_id", flat=True)
    )
    first = [c for c in clients if c.pk in discrepant][:1]
    rest = [c for c in clients if c not in first]
    picks = rng.choice(len(rest), size=min(N_CLIENTS - len(first), len(rest)), replace=False)
    return first + [rest[i] for i in sorted(picks.tolist())]


def seed(org: Organisation, users: dict, rng: np.random.Generator, today: date) -> None:
    alex = users["alex"]
    texts = iter(REFLECTIONS)
    made: list[JournalEntry] = []
    for n, client in enumerate(_chosen_clients(org, alex, rng)):
        recent = list(
            Session.objects.filter(episode__client=client, status=Session.Status.ATTENDED).order_by(
                "-date", "-number"
            )[: 2 if n == 0 else 1]
        )
        for session in reversed(recent):
            answers = next(texts, REFLECTIONS[-1])
            entry = JournalEntry(author=alex, client=client, session=session)
            entry.set_answers(answers)
            entry.save()
            written = timezone.make_aware(datetime.combine(session.date, time(18, 30)))
            JournalEntry.objects.filter(pk=entry.pk).update(
                created=written, updated=written + timedelta(minutes=int(rng.integers(0, 30)))
            )
            made.append(entry)
    if made:
        supervisor = supervisor_of(alex, made[0].client)
        if supervisor is not None:
            shared_at = timezone.make_aware(datetime.combine(today, time(9)))
            JournalEntry.objects.filter(pk=made[0].pk).update(
                shared_with=supervisor, shared_at=shared_at
            )
