"""Demo data of the ending phase (called by ``alliance.practice.demo.seed_demo``).

* Every past client (``P001``-``P150``) whose episode ended as planned has a completed
  relapse-prevention plan, written with their practitioner at the last session (2-4 warning
  signs, 1-3 triggers, 2-4 coping strategies, 1-2 people, 2-3 contacts, 2-3 steps, 1-3 things
  they are proud of, drawn from ``demo_entries``; coaching clients get coaching wording).
  About a third added a line themselves through their link a few days later, and their
  practitioner has seen it.  Clients who dropped out have no plan.
* Current clients (``D0xx``) whose episode has just ended as planned have a plan that is
  complete for most and still missing the crisis contacts and next steps for the rest; each
  has a link and added a line the practitioner has not seen yet (highlighted on the client
  page).  The Spanish-speaking client ``D011`` has a plan in progress in Spanish.
* Follow-ups at 1 and 3 months (the episode's outcome measure) for the planned endings of the
  last 120 days and most of the current ones: those whose day has come were answered by about
  three in four clients (scores near the last session's, one in five somewhat worse); the
  others are scheduled, due or expired.

Everything is written with bulk inserts; one seeded generator draws it all.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import numpy as np
from django.db.models import Max
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Assignment, Episode, Session
from alliance.practice.collect.models import hash_token
from alliance.practice.ending import demo_entries
from alliance.practice.ending.demo_followups import at, seed_follow_ups
from alliance.practice.ending.models import (
    PLAN_LINK_DAYS,
    PlanChange,
    PlanLink,
    RelapsePlan,
)
from alliance.practice.ending.sections import REQUIRED_SECTIONS, SECTION_IDS

RECENT_DAYS = 120
EDITED_BY_CLIENT = 0.35


def seed(org: Organisation, users: dict, rng: np.random.Generator, today: date) -> None:
    episodes = list(
        Episode.objects.filter(client__organisation=org).select_related("client").order_by("pk")
    )
    practitioner = dict(
        Assignment.objects.filter(client__organisation=org).values_list(
            "client_id", "practitioner_id"
        )
    )
    last = dict(
        Session.objects.filter(episode__client__organisation=org, status=Session.Status.ATTENDED)
        .values("episode_id")
        .annotate(d=Max("date"))
        .values_list("episode_id", "d")
    )
    now = timezone.now()
    drafts: list[tuple[RelapsePlan, list[PlanChange], bool]] = []
    follow_up_episodes = []
    for episode in episodes:
        day = last.get(episode.pk)
        planned = episode.ending_reason == Episode.EndingReason.PLANNED
        if day is None:
            continue
        past = episode.client.code.startswith("P")
        user_id = practitioner.get(episode.client_id)
        if planned and past:
            drafts.append(
                draft(rng, episode, day, user_id, today, complete=True, seen=True, now=now)
            )
            if (today - day).days <= RECENT_DAYS:
                follow_up_episodes.append((episode, day, user_id))
        elif planned:
            complete = rng.random() < 0.6
            drafts.append(
                draft(rng, episode, day, user_id, today, complete=complete, seen=False, now=now)
            )
            if rng.random() < 0.7:
                follow_up_episodes.append((episode, day, user_id))
        elif episode.client.preferred_language == "es" and episode.ended is None:
            drafts.append(spanish_draft(episode, day, user_id))
    store_plans(rng, drafts, now)
    seed_follow_ups(rng, follow_up_episodes, now)


def draw_entries(rng: np.random.Generator, kind: str, sections: tuple[str, ...]) -> dict:
    entries: dict[str, list[str]] = {}
    for section in sections:
        pool = demo_entries.THERAPY[section]
        if kind == Episode.Kind.COACHING:
            pool = demo_entries.COACHING.get(section, pool)
        low, high = demo_entries.COUNTS[section]
        n = min(int(rng.integers(low, high + 1)), len(pool))
        entries[section] = [pool[i] for i in sorted(rng.choice(len(pool), n, replace=False))]
    return entries


def draft(
    rng: np.random.Generator,
    episode: Episode,
    day: date,
    user_id: int | None,
    today: date,
    *,
    complete: bool,
    seen: bool,
    now: datetime,
) -> tuple[RelapsePlan, list[PlanChange], bool]:
    """A plan written at the last session, perhaps with a line the client added later."""
    sections = SECTION_IDS if complete else ("warning_signs", "triggers", "coping", "people")
    entries = draw_entries(rng, episode.kind, sections)
    written = at(day, 10, 50)
    changes = [
        PlanChange(section=s, changed_by_id=user_id, at=written, before=[], after=list(v))
        for s, v in entries.items()
    ]
    plan = RelapsePlan(
        episode=episode,
        created=written,
        updated=written,
        reviewed_at=written,
        completed_at=written if complete else None,
        revision=1,
    )
    days_since = (today - day).days
    edited = (not seen) or rng.random() < EDITED_BY_CLIENT
    if edited and days_since >= 2:
        section = str(rng.choice(["warning_signs", "coping", "people", "proud"]))
        pool = demo_entries.THERAPY[section]
        if episode.kind == Episode.Kind.COACHING:
            pool = demo_entries.COACHING.get(section, pool)
        pool = [e for e in pool if e not in entries.get(section, [])]
        before = entries.get(section, [])
        entries[section] = [*before, pool[int(rng.integers(len(pool)))]]
        when = at(day + timedelta(days=int(rng.integers(1, min(days_since, 20)))), 20, 15)
        when = min(when, now - timedelta(hours=1))
        changes.append(
            PlanChange(
                section=section, by_client=True, at=when, before=before, after=entries[section]
            )
        )
        plan.updated = when
        plan.revision = 2
        if seen:
            plan.reviewed_at = min(when + timedelta(days=int(rng.integers(1, 6))), now)
    plan.entries = {s: entries.get(s, []) for s in SECTION_IDS}
    return plan, changes, edited


def spanish_draft(
    episode: Episode, day: date, user_id: int | None
) -> tuple[RelapsePlan, list[PlanChange], bool]:
    written = at(day, 10, 50)
    entries = {s: list(demo_entries.SPANISH.get(s, [])) for s in SECTION_IDS}
    changes = [
        PlanChange(section=s, changed_by_id=user_id, at=written, before=[], after=v)
        for s, v in entries.items()
        if v
    ]
    missing = any(not entries[s] for s in REQUIRED_SECTIONS)
    plan = RelapsePlan(
        episode=episode,
        entries=entries,
        created=written,
        updated=written,
        reviewed_at=written,
        completed_at=None if missing else written,
        revision=1,
    )
    return plan, changes, False


def store_plans(
    rng: np.random.Generator,
    drafts: list[tuple[RelapsePlan, list[PlanChange], bool]],
    now: datetime,
) -> None:
    plans = RelapsePlan.objects.bulk_create([plan for plan, _, _ in drafts])
    changes = []
    links = []
    for plan, (_, plan_changes, with_link) in zip(plans, drafts, strict=True):
        for change in plan_changes:
            change.plan = plan
            changes.append(change)
        if with_link:
            links.append(
                PlanLink(
                    plan=plan,
                    token_hash=hash_token(rng.bytes(32).hex()),
                    created=plan.created,
                    expires_at=plan.created + timedelta(days=PLAN_LINK_DAYS),
                )
            )
    PlanChange.objects.bulk_create(changes)
    PlanLink.objects.bulk_create(links)
