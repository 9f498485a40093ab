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
  that does not recover.  SRS ratings cluster near the top as they do in practice (mostly
  36-40; the level squeezed towards the top and dips halved, ``srs_level``), so the low
  alliance alert (below 36) marks the early sessions of some clients and the ruptures.
* Therapy clients answer the PHQ-9 before and the WAI-SR after each session; coaching clients
  the ORS before and the SRS after; child clients the ORS, with a caregiver answering the
  TASC-P after each session (the first child client has two caregivers).  Adult therapy
  clients also rate their wellbeing (WHO-5, SWLS, Flourishing) at the first and every fourth
  session, following their outcome course and their alliance.  Some clients are seen only by
  video, a few others now and then by phone or video (``session_modality``); five drop out
  early.
* PHQ-9 item 9 (thoughts of self-harm) is 0 except at every fifth session (2, 7, 12, ...)
  of non-responders and deteriorators, where it is 1: the risk flag and the urgent risk
  alert show for a few clients.
* The practice's history: 150 past clients ``P001``-``P150`` (inactive), whose episodes ended
  between 2 and 24 months ago, drawn from the same course model (therapy with the PHQ-9 and
  WAI-SR for two thirds, coaching with the ORS and SRS for one third; 6-16 sessions, or
  2-4 for the 15% who dropped out).  They are the finished episodes on which ``alliance
  feedback refresh`` (run by ``alliance demo``) fits the practice's expected trajectories,
  so the demo shows not-on-track alerts and the expected course on the charts.

Everything is drawn from seeded generators, so the same seed gives the same practice.  The
apps listed in ``APPS_WITH_DEMO_DATA`` then add their own (contracts, relapse plans, journal
entries, the public page, research consent and projects, a process study, emailed links).
"""

from __future__ import annotations

import importlib
import math
import uuid
import zlib
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
N_PAST_CLIENTS = 150
DEMO_SLUG = "demo"
COURSES = ["responder", "slow responder", "non-responder", "deteriorator"]
# Adult therapy clients also rate their wellbeing at the first session and every fourth: WHO-5,
# SWLS and Flourishing, following their outcome course and their alliance, so the research
# report's correlations between the alliance and wellbeing have data.
WELLBEING = ("who5", "swls", "flourishing")
WELLBEING_EVERY = 4
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


def session_modality(n: int, t: int, online: bool) -> str:
    """Some clients are seen only by video; a few others now and then by phone (every fifth
    session of every fifth client) or by video (every third session of every eighth)."""
    if online:
        return Modality.VIDEO
    if n % 5 == 1 and t % 5 == 0:
        return Modality.PHONE
    if n % 8 == 2 and t % 3 == 0:
        return Modality.VIDEO
    return Modality.IN_PERSON


def severity(course: str, s0: float, t: int, high: float) -> float:
    if course == "responder":
        return s0 * (0.35 + 0.65 * math.exp(-(t - 1) / 3))
    if course == "slow responder":
        return s0 * (1 - 0.45 * min(t - 1, 16) / 16)
    if course == "deteriorator":
        return min(s0 + 0.5 * (t - 1), high)
    return s0


def srs_level(level: float) -> float:
    """The SRS clusters near its top (most ratings 36-40 of 40; a concern below 36): the
    alliance level (a share of the range) squeezed towards the top, dips halved."""
    return 0.88 + 0.5 * (level - 0.78)


def item_answers(
    rng: np.random.Generator, inst: Instrument, target_total: float
) -> dict[str, float]:
    """Answers whose scored sum follows ``target_total`` (a reverse-keyed item, e.g. on the
    TASC-P, is answered at the mirror of its share, so that it scores like the others)."""
    answers: dict[str, float] = {}
    per_item = target_total / len(inst.items)
    reversed_items = {i for scale in inst.scales for i in scale.reverse}
    for item in inst.items:
        rs = inst.response_sets[item.response_set]
        value = per_item + rng.normal(0, 0.6 if rs.options else 0.7)
        value = min(max(value, rs.low), rs.high)
        if item.id in reversed_items:
            value = rs.low + rs.high - value
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
        past = np.random.default_rng(seed + 1)  # the current clients' draws stay as they were
        for n in range(1, N_PAST_CLIENTS + 1):
            seed_past_client(past, org, users, n, today)
        add_second_caregiver(org, np.random.default_rng([seed, 2]))
        seed_app_demos(org, users, seed, today)
    return org


def add_second_caregiver(org: Organisation, rng: np.random.Generator) -> None:
    """The first child client gets a second caregiver, whose alliance with the practitioner
    (TASC-P after every session) is low: the client page shows the child's and both
    caregivers' alliance side by side, and the low caregiver alliance raises an alert."""
    first = Caregiver.objects.filter(client__organisation=org).order_by("client__code").first()
    if first is None:
        return
    client = first.client
    Caregiver.objects.filter(pk=first.pk).update(name="Mum", relationship="mother")
    second = Caregiver.objects.create(client=client, name="Dad", relationship="father")
    episode = client.episodes.order_by("-started").first()
    tasc = get_instrument("tasc-p")
    lo, hi = tasc.raw_range(tasc.scale_index["total"])
    responses = []
    for session in episode.sessions.order_by("number"):
        level = 0.45 if session.number > 1 else 0.6  # wary from the start, then doubtful
        at = timezone.make_aware(datetime.combine(session.date, time(11, 5)))
        answers = item_answers(rng, tasc, lo + level * (hi - lo))
        responses.append(("tasc-p", "caregiver", answers, session, at))
    store_demo_responses(client, episode, second, responses, rng)


# Apps that add their own demo data: each has ``alliance.practice.<app>.demo.seed(org, users,
# rng, today)``, called after the clients above exist, with its own seeded generator so one
# app's draws never shift another's.
APPS_WITH_DEMO_DATA: tuple[str, ...] = (
    "journal",
    "public",
    "studies",
    "process_studies",
    "contracts",
    "outbox",
    "ending",
)


def seed_app_demos(org: Organisation, users: dict, seed: int, today: date) -> None:
    for app in APPS_WITH_DEMO_DATA:
        module = importlib.import_module(f"alliance.practice.{app}.demo")
        module.seed(org, users, np.random.default_rng([seed, zlib.crc32(app.encode())]), today)


def seed_past_client(
    rng: np.random.Generator, org: Organisation, users: dict, n: int, today: date
) -> None:
    """A client whose episode ended 2-24 months ago (see the module docstring)."""
    coaching = n % 3 == 0
    practitioner = users["jo"] if coaching else users["alex" if n % 2 else "sam"]
    course = str(rng.choice(COURSES, p=COURSE_WEIGHTS))
    dropped_out = rng.random() < 0.15
    n_sessions = int(rng.integers(2, 5)) if dropped_out else int(rng.integers(6, 17))
    client = Client.objects.create(
        organisation=org, code=f"P{n:03d}", is_active=False, pronouns=["she/her", "he/him"][n % 2]
    )
    Assignment.objects.create(client=client, practitioner=practitioner)
    ended = today - timedelta(days=int(rng.integers(60, 730)))
    start = ended - timedelta(weeks=n_sessions)
    episode = Episode.objects.create(
        client=client,
        kind=Episode.Kind.COACHING if coaching else Episode.Kind.THERAPY,
        phase=Episode.Phase.ENDING,
        started=start,
        ended=ended,
        ending_reason=Episode.EndingReason.DROPPED_OUT
        if dropped_out
        else Episode.EndingReason.PLANNED,
    )
    outcome_id, alliance_id = ("ors", "srs") if coaching else ("phq9", "wai-sr")
    outcome, alliance = get_instrument(outcome_id), get_instrument(alliance_id)
    out_low, out_high = outcome.raw_range(outcome.scales[-1])
    al_low, al_high = alliance.raw_range(alliance.scale_index["total"])
    s0 = float(rng.uniform(8, 22)) if coaching else float(rng.uniform(13, 22))
    level = float(rng.uniform(0.75, 0.9))
    sessions = Session.objects.bulk_create(
        Session(episode=episode, number=t, date=start + timedelta(weeks=t - 1))
        for t in range(1, n_sessions + 1)
    )
    responses = []
    for t, session in enumerate(sessions, start=1):
        at = timezone.make_aware(datetime.combine(session.date, time(10, 0)))
        if coaching:
            total = 40 - severity(course, 40 - s0, t, 40) + rng.normal(0, 1.5)
        else:
            total = severity(course, s0, t, out_high) + rng.normal(0, 1.5)
        answers = item_answers(rng, outcome, min(max(total, out_low), out_high))
        if not coaching:
            answers["phq9_9"] = 0
        responses.append((outcome_id, "client", answers, session, at - timedelta(minutes=20)))
        share = min(level + 0.015 * t, 0.97)
        target = al_low + (srs_level(share) if coaching else share) * (al_high - al_low)
        target += rng.normal(0, 0.02 * (al_high - al_low))
        responses.append(
            (
                alliance_id,
                "client",
                item_answers(rng, alliance, target),
                session,
                at + timedelta(minutes=55),
            )
        )
    store_demo_responses(client, episode, None, responses, rng)


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
    wellbeing = WELLBEING if outcome_id == "phq9" else ()
    MeasurePlanEntry.objects.bulk_create(
        [
            *(
                MeasurePlanEntry(episode=episode, instrument_id=i, respondent=r, timing=t)
                for i, r, t in plan
            ),
            *(
                MeasurePlanEntry(
                    episode=episode,
                    instrument_id=i,
                    respondent="client",
                    schedule=MeasurePlanEntry.Schedule.FIRST_AND_EVERY_N,
                    every_n=WELLBEING_EVERY,
                )
                for i in wellbeing
            ),
        ]
    )
    wellbeing_rng = np.random.default_rng([n, 3])  # its own draws: the others stay as they were
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
            modality=session_modality(n, t, online),
        )
        at = timezone.make_aware(datetime.combine(day, time(10, 0)))
        if higher_better:  # ORS: wellbeing 0-40, so distress (40 - wellbeing) follows the course
            total = 40 - severity(course, 40 - s0, t, 40) + rng.normal(0, 1.5)
        else:
            total = severity(course, s0, t, out_high) + rng.normal(0, 1.5)
        answers = item_answers(rng, outcome, min(max(total, out_low), out_high))
        if outcome_id == "phq9":  # risk answers only where the story puts them
            risky = course in ("non-responder", "deteriorator") and t % 5 == 2
            answers["phq9_9"] = 1 if risky else 0
        responses.append((outcome_id, "client", answers, session, at - timedelta(minutes=20)))
        level = min(alliance_level + 0.015 * t, 0.97)
        if rupture_at is not None and t >= rupture_at:
            dip = 0.3 if t == rupture_at else (0.15 if t == rupture_at + 1 else 0.0)
            level -= dip if repairs else 0.3
        if wellbeing and (t == 1 or t % WELLBEING_EVERY == 0):
            share = 1 - 0.85 * min(max(total, 0), out_high) / out_high + 0.6 * (level - 0.84)
            for instrument_id in wellbeing:
                inst = get_instrument(instrument_id)
                lo, hi = inst.raw_range(inst.scale_index["total"])
                noisy = min(max(share + wellbeing_rng.normal(0, 0.06), 0.05), 0.95)
                answers = item_answers(wellbeing_rng, inst, lo + noisy * (hi - lo))
                responses.append(
                    (instrument_id, "client", answers, session, at - timedelta(minutes=15))
                )
        if alliance_id == "srs":
            level = srs_level(level)
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
