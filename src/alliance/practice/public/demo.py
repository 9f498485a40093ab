"""Demo data of the public page: the demo practice's published page at ``/p/demo/`` with an
introduction, profiles of the therapists alex and sam and the coach jo (no photos: the page
shows their initials), therapy and coaching services in person and online, and three pending
requests for a first conversation (made-up people, reserved ``example.org`` addresses)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from typing import Any

import numpy as np
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.public.models import (
    IntakeRequest,
    PracticePage,
    PractitionerProfile,
    Service,
)

INTRODUCTION = (
    "We are a small practice offering counselling, psychotherapy and coaching, in our rooms "
    "in town and online. We work collaboratively: together we agree what you want from our "
    "work, and we ask you regularly how it is going for you, so that we can adjust.\n\n"
    "A first conversation of about 20 minutes is free and without obligation."
)

PROFILES = {
    "alex": (
        "Alex Morgan",
        "I work with adults facing low mood, anxiety and times of change. Many of the people I "
        "see come when something that used to work no longer does.",
        "MSc Counselling Psychology; accredited psychotherapist; 12 years in practice.",
        "Integrative: cognitive-behavioural and person-centred. We set goals together and "
        "review them every few sessions.",
    ),
    "sam": (
        "Sam Okafor",
        "I see adults and young people, and work with parents when a child is in therapy.",
        "Diploma in Psychodynamic Psychotherapy; family therapy training.",
        "Relational: the relationship between us is where change starts. I ask for your "
        "feedback after each session.",
    ),
    "jo": (
        "Jo Lindqvist",
        "I coach people who want to make a change in their personal life or career: finding "
        "direction, preparing for a new role, or getting unstuck.",
        "ICF Professional Certified Coach; MA Organisational Psychology.",
        "Solution-focused personal and career coaching, with clear goals and a short "
        "progress check at each session.",
    ),
}

SERVICES = [
    ("Individual therapy", "therapy", "in_person", "50 minutes", "£75 per session"),
    ("Online therapy", "therapy", "online", "50 minutes, by video", "£70 per session"),
    ("Personal coaching", "coaching", "online", "45 minutes, by video", "£60 per session"),
    ("Career coaching", "coaching", "both", "60 minutes", "£80 per session"),
]

REQUESTS: list[dict[str, Any]] = [
    {
        "name": "Robin Example",
        "email": "robin@example.org",
        "to": "jo",
        "service": "Career coaching",
        "modality": "online",
        "message": "I'd like to talk about changing careers after ten years in finance.",
    },
    {
        "name": "Casey Example",
        "email": "casey@example.org",
        "phone": "07700 900123",
        "to": None,
        "service": "Individual therapy",
        "modality": "in_person",
        "message": "Could we arrange a first conversation, evenings if possible?",
    },
    {
        "name": "Morgan Example",
        "email": "morgan@example.org",
        "to": "alex",
        "service": None,
        "modality": "any",
        "message": "",
    },
]


def seed(org: Organisation, users: dict[str, Any], rng: np.random.Generator, today: date) -> None:
    page = PracticePage.objects.create(
        organisation=org, introduction=INTRODUCTION, is_published=True
    )
    for username, (name, bio, qualifications, approach) in PROFILES.items():
        PractitionerProfile.objects.create(
            page=page,
            user=users[username],
            display_name=name,
            bio=bio,
            qualifications=qualifications,
            approach=approach,
            is_published=True,
        )
    services = {}
    for position, (name, kind, modality, duration, price) in enumerate(SERVICES):
        services[name] = Service.objects.create(
            page=page,
            name=name,
            kind=kind,
            modality=modality,
            duration=duration,
            price=price,
            position=position,
        )
    for days_ago, spec in zip((0, 1, 3), REQUESTS, strict=True):
        service = services.get(spec["service"]) if spec["service"] else None
        intake = IntakeRequest.objects.create(
            organisation=org,
            addressed_to=users[spec["to"]] if spec["to"] else None,
            name=spec["name"],
            email=spec["email"],
            phone=spec.get("phone", ""),
            service=service,
            service_name=service.name if service else "",
            modality=spec["modality"],
            message=spec["message"],
            consent_to_contact=True,
        )
        hour = int(rng.integers(8, 20))
        sent = datetime.combine(today - timedelta(days=days_ago), time(hour, 15))
        IntakeRequest.objects.filter(pk=intake.pk).update(
            created=timezone.make_aware(sent, timezone.get_current_timezone())
        )
