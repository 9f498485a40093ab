"""The demo practice: deterministic, realistic-looking data for trying Alliance out.

The model (documented so that what the demo shows can be read correctly):

* One organisation with a clinical lead (``demo``), two therapists and one coach; 60 clients
  ``D001``-``D060`` with 4-25 weekly sessions each, dates ending around today.
* Each client follows one course type; the outcome severity s(t) at session t (1-based) is
  - responder:      s0 * (0.35 + 0.65 * exp(-(t-1)/3))
  - slow responder: s0 * (1 - 0.45 * min(t-1, 16) / 16)
  - non-responder:  s0 (flat)
  - deteriorator:   s0 + 0.5 * (t-1), capped at the scale maximum
  plus Gaussian noise; s0 is drawn from the clinical range.  Item answers are drawn so that
  their sum follows s(t) (each item is s(t)/n_items plus noise, rounded and clipped).
* The alliance starts moderate-to-high and mostly rises; some clients have a rupture (a drop of
  about a third of the scale) that recovers over the next two sessions, and a few have a rupture
  that does not recover.
* Therapy clients answer the PHQ-9 before and the WAI-SR after each session; coaching clients
  the ORS before and the SRS after; child clients the ORS, with a caregiver answering the
  TASC-P after each session.  Some clients are seen only by video; five drop out early.
* A few PHQ-9 responses have item 9 above 0, so the risk flag shows on the dashboard.

Everything is drawn from one seeded generator, so the same seed gives the same practice.
"""

from __future__ import annotations

import math
import uuid
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

import numpy as np
from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from alliance.measures import Instrument, get_instrument, score
from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.care.models import (
    Assignment,
    Caregiver,
    Client,
    Episode,
    MeasurePlanEntry,
    Modality,
    Session,
)
from alliance.practice.collect.models import Response, ScaleScore

SEED = 20261126
N_CLIENTS = 60
DEMO_SLUG = "demo-practice"
COURSES = ["responder", "slow responder", "non-responder", "deteriorator"]
COURSE_WEIGHTS = [0.45, 0.25, 0.2, 0.1]


@dataclass(frozen=True)
class Staff:
    username: str
    first_name: str
    role: str


STAFF = [
    Staff("demo", "Demo lead", Membership.Role.LEAD),
    Staff("alex", "Alex (therapist)", Membership.Role.PRACTITIONER),
    Staff("sam", "Sam (therapist)", Membership.Role.PRACTITIONER),
    Staff("jo", "Jo (coach)", Membership.Role.PRACTITIONER),
]


def severity(course: str, s0: float, t: int, high: float) -> float:
    if course == "responder":
        return s0 * (0.35 + 0.65 * math.exp(-(t - 1) / 3))
    if course == "slow responder":
        return s0 * (1 - 0.45 * min(t - 1, 16) / 16)
    if course == "deteriorator":
        return min(s0 + 0.5 * (t - 1), high)
    return s0


def item_answers(
    rng: np.random.Generator, inst: Instrument, target_total: float
) -> dict[str, float]:
    """Answers whose sum follows ``target_total`` (reverse keying ignored: demo only)."""
    answers: dict[str, float] = {}
    per_item = target_total / len(inst.items)
    for item in inst.items:
        rs = inst.response_sets[item.response_set]
        value = per_item + rng.normal(0, 0.6 if rs.options else 0.7)
        value = min(max(value, rs.low), rs.high)
        if rs.options is not None:
            answers[item.id] = round(value)
        else:
            answers[item.id] = round(value, 1)
    return answers


def seed_demo(seed: int = SEED, today: date | None = None) -> Organisation:
    """Create the demo organisation once; return the existing one if it is there."""
    existing = Organisation.objects.filter(slug=DEMO_SLUG).first()
    if existing is not None:
        return existing
    rng = np.random.default_rng(seed)
    today = today or timezone.localdate()
    with transaction.atomic():
        org = Organisation.objects.create(
            name="Demo Practice", slug=DEMO_SLUG, kind=Organisation.Kind.PRACTICE, is_demo=True
        )
        users = {}
        user_model = get_user_model()
        for staff in STAFF:
            user = user_model.objects.create_user(
                username=staff.username, password="demo", first_name=staff.first_name
            )
            if staff.username == "demo":
                user.is_staff = True
                user.is_superuser = True
                user.save()
            Membership.objects.create(user=user, organisation=org, role=staff.role)
            users[staff.username] = user
        for n in range(1, N_CLIENTS + 1):
            seed_client(rng, org, users, n, today)
    return org


def seed_client(
    rng: np.random.Generator, org: Organisation, users: dict, n: int, today: date
) -> None:
    coaching = n % 6 == 0
    child = not coaching and n % 10 == 3
    practitioner = users["jo"] if coaching else users["alex" if n % 2 else "sam"]
    course = str(rng.choice(COURSES, p=COURSE_WEIGHTS))
    dropped_out = n in {7, 19, 31, 44, 52}
    n_sessions = int(rng.integers(2, 5)) if dropped_out else int(rng.integers(4, 26))
    online = n % 7 == 0
    client = Client.objects.create(
        organisation=org,
        code=f"D{n:03d}",
        preferred_language="es" if n == 11 else "en",
        pronouns=["she/her", "he/him", "they/them"][n % 3],
    )
    Assignment.objects.create(client=client, practitioner=practitioner)
    caregiver = None
    if child:
        caregiver = Caregiver.objects.create(client=client, name="Parent", relationship="parent")
    start = today - timedelta(weeks=n_sessions + int(rng.integers(0, 3)))
    finished = dropped_out or (n_sessions >= 14 and n % 3 == 0)
    episode = Episode.objects.create(
        client=client,
        kind=Episode.Kind.COACHING if coaching else Episode.Kind.THERAPY,
        phase=Episode.Phase.ENDING if finished else Episode.Phase.WORKING,
        started=start,
        ended=start + timedelta(weeks=n_sessions) if finished else None,
        ending_reason=Episode.EndingReason.DROPPED_OUT
        if dropped_out
        else (Episode.EndingReason.PLANNED if finished else ""),
    )
    outcome_id = "ors" if (coaching or child) else "phq9"
    alliance_id = "srs" if (coaching or child) else "wai-sr"
    plan = [
        (outcome_id, "client", MeasurePlanEntry.Timing.BEFORE),
        (alliance_id, "client", MeasurePlanEntry.Timing.AFTER),
    ]
    if caregiver is not None:
        plan.append(("tasc-p", "caregiver", MeasurePlanEntry.Timing.AFTER))
    MeasurePlanEntry.objects.bulk_create(
        MeasurePlanEntry(episode=episode, instrument_id=i, respondent=r, timing=t)
        for i, r, t in plan
    )
    outcome, alliance = get_instrument(outcome_id), get_instrument(alliance_id)
    out_low, out_high = outcome.raw_range(outcome.scales[-1])
    higher_better = outcome_id == "ors"
    s0 = float(rng.uniform(13, 22)) if not higher_better else float(rng.uniform(8, 22))
    rupture_at = int(rng.integers(3, 9)) if rng.random() < 0.3 else None
    repairs = rng.random() < 0.7
    al_low, al_high = alliance.raw_range(alliance.scale_index["total"])
    alliance_level = float(rng.uniform(0.78, 0.9))
    responses = []
    for t in range(1, n_sessions + 1):
        day = start + timedelta(weeks=t - 1)
        session = Session.objects.create(
            episode=episode,
            number=t,
            date=day,
            modality=Modality.VIDEO if online else Modality.IN_PERSON,
        )
        at = timezone.make_aware(datetime.combine(day, time(10, 0)))
        if higher_better:  # ORS: wellbeing 0-40, so distress (40 - wellbeing) follows the course
            total = 40 - severity(course, 40 - s0, t, 40) + rng.normal(0, 1.5)
        else:
            total = severity(course, s0, t, out_high) + rng.normal(0, 1.5)
        answers = item_answers(rng, outcome, min(max(total, out_low), out_high))
        if outcome_id == "phq9" and course in ("non-responder", "deteriorator") and t % 5 == 2:
            answers["phq9_9"] = 1
        responses.append((outcome_id, "client", answers, session, at - timedelta(minutes=20)))
        level = min(alliance_level + 0.015 * t, 0.97)
        if rupture_at is not None and t >= rupture_at:
            dip = 0.3 if t == rupture_at else (0.15 if t == rupture_at + 1 else 0.0)
            level -= dip if repairs else 0.3
        target = al_low + level * (al_high - al_low) + rng.normal(0, 0.02 * (al_high - al_low))
        responses.append(
            (
                alliance_id,
                "client",
                item_answers(rng, alliance, target),
                session,
                at + timedelta(minutes=55),
            )
        )
        if caregiver is not None:
            tasc = get_instrument("tasc-p")
            lo, hi = tasc.raw_range(tasc.scale_index["total"])
            responses.append(
                (
                    "tasc-p",
                    "caregiver",
                    item_answers(rng, tasc, lo + 0.75 * (hi - lo)),
                    session,
                    at + timedelta(minutes=60),
                )
            )
    store_demo_responses(client, episode, caregiver, responses, rng)


def store_demo_responses(client, episode, caregiver, responses, rng) -> None:
    rows = []
    results = []
    for instrument_id, respondent, answers, session, at in responses:
        result = score(instrument_id, answers)
        results.append(result)
        rows.append(
            Response(
                client=client,
                episode=episode,
                session=session,
                caregiver=caregiver if respondent == "caregiver" else None,
                instrument_id=instrument_id,
                respondent=respondent,
                submission_id=uuid.UUID(bytes=rng.bytes(16)),
                answers={k: v for k, v in result.answers.items() if v is not None},
                flags=list(result.flags),
                missing=list(result.missing),
                submitted_at=at,
            )
        )
    created = Response.objects.bulk_create(rows)
    ScaleScore.objects.bulk_create(
        ScaleScore(response=r, scale_id=s, value=v, band=res.bands.get(s) or "")
        for r, res in zip(created, results, strict=True)
        for s, v in res.scores.items()
    )
