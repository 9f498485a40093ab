"""Saving a contract: a changed contract becomes a new version, an unchanged save does nothing.

Goals are rows (``Goal``) that live across versions, so that ratings follow a goal when it
is reworded; each version also keeps a snapshot of its goals' wording for the history.
When a version gives or changes research consent, the client record
(``Client.research_consent_scope`` and ``research_consent_date``) follows it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from django.db import transaction
from django.utils import timezone

from alliance.practice.care.models import Client, Episode, ResearchConsent
from alliance.practice.contracts.models import (
    Contract,
    ContractVersion,
    Goal,
    SessionFrequency,
)

DEFAULT_FEEDBACK_PLAN = (
    "Before or after each session you answer a few short questions about how you are doing "
    "and how our work together is going. We look at the answers together at the start of "
    "the next session and use them to decide what to keep and what to change."
)


@dataclass(frozen=True)
class GoalText:
    """A goal as written in a form: ``goal_id`` None for a new goal."""

    goal_id: int | None
    text: str


@dataclass(frozen=True)
class Terms:
    """The content of a contract version (what is compared to decide whether it changed)."""

    goals: tuple[GoalText, ...]
    tasks: str = ""
    session_frequency: str = SessionFrequency.WEEKLY
    expected_sessions: int | None = None
    feedback_plan: str = DEFAULT_FEEDBACK_PLAN
    measurement_consent: bool = False
    measurement_consent_date: date | None = None
    research_consent: str = ResearchConsent.NONE
    research_consent_date: date | None = None


CONTENT_FIELDS = (
    "tasks",
    "session_frequency",
    "expected_sessions",
    "feedback_plan",
    "measurement_consent",
    "measurement_consent_date",
    "research_consent",
    "research_consent_date",
)


def current_episode(client: Client) -> Episode | None:
    return client.episodes.order_by("-started", "-pk").first()


def latest_version(contract: Contract | None) -> ContractVersion | None:
    if contract is None:
        return None
    return contract.versions.select_related("created_by").order_by("-number").first()


def terms_of(version: ContractVersion) -> Terms:
    """The terms of a stored version (to start a form, or a client's goal proposal, from)."""
    return Terms(
        goals=tuple(GoalText(g["id"], g["text"]) for g in version.goals),
        **{name: getattr(version, name) for name in CONTENT_FIELDS},
    )


class ContractError(ValueError):
    """The contract cannot be saved as given; the message names the field."""


def save_terms(
    episode: Episode,
    terms: Terms,
    *,
    by: Any = None,
    from_client: bool = False,
    reason: str = "",
    at: datetime | None = None,
) -> ContractVersion | None:
    """Store ``terms`` as the next version of the episode's contract and return it; return
    None (and store nothing) when they equal the current version."""
    now = at or timezone.now()
    with transaction.atomic():
        contract, _ = Contract.objects.get_or_create(episode=episode, defaults={"created": now})
        contract = Contract.objects.select_for_update().get(pk=contract.pk)
        current = latest_version(contract)
        active = {g.pk: g for g in contract.goal_set.filter(removed_in_version__isnull=True)}
        for goal in terms.goals:
            if goal.goal_id is not None and goal.goal_id not in active:
                raise ContractError(f"goal_{goal.goal_id}: not a current goal of this contract")
        if current is not None and same_content(current, terms):
            return None
        number = current.number + 1 if current else 1
        snapshot = store_goals(contract, active, terms.goals, number, now)
        version = ContractVersion.objects.create(
            contract=contract,
            number=number,
            created=now,
            created_by=None if from_client else by,
            from_client=from_client,
            reason=reason,
            goals=snapshot,
            client_agreed_at=now if from_client else None,
            practitioner_agreed_at=None if from_client else now,
            **{name: getattr(terms, name) for name in CONTENT_FIELDS},
        )
        propagate_research_consent(episode.client, current, version)
    return version


def same_content(version: ContractVersion, terms: Terms) -> bool:
    stored = [(g["id"], g["text"]) for g in version.goals]
    given = [(g.goal_id, g.text) for g in terms.goals]
    return stored == given and all(
        getattr(version, name) == getattr(terms, name) for name in CONTENT_FIELDS
    )


def store_goals(
    contract: Contract,
    active: dict[int, Goal],
    goals: tuple[GoalText, ...],
    number: int,
    now: datetime,
) -> list[dict[str, Any]]:
    """Create new goals, reword and reorder kept ones, mark left-out ones removed; return
    the snapshot for the version."""
    snapshot = []
    kept = set()
    for position, given in enumerate(goals):
        if given.goal_id is None:
            goal = Goal.objects.create(
                contract=contract,
                text=given.text,
                position=position,
                created=now,
                added_in_version=number,
            )
        else:
            goal = active[given.goal_id]
            kept.add(goal.pk)
            if (goal.text, goal.position) != (given.text, position):
                goal.text, goal.position = given.text, position
                goal.save(update_fields=["text", "position"])
        snapshot.append({"id": goal.pk, "text": goal.text})
    gone = [pk for pk in active if pk not in kept]
    if gone:
        Goal.objects.filter(pk__in=gone).update(removed_in_version=number)
    return snapshot


def propagate_research_consent(
    client: Client, previous: ContractVersion | None, version: ContractVersion
) -> None:
    """Research consent given or changed in this version becomes the client's consent.

    "Changed" is against the previous version; for a first version, against what the client
    record already holds.  A version that repeats the previous consent leaves the client
    record alone, so a change recorded elsewhere (e.g. a withdrawal) is not undone by an
    unrelated renegotiation.
    """
    if previous is None:
        before = (client.research_consent_scope, client.research_consent_date)
        changed = version.research_consent != before[0]
    else:
        before = (previous.research_consent, previous.research_consent_date)
        changed = (version.research_consent, version.research_consent_date) != before
    if not changed:
        return
    client.research_consent_scope = version.research_consent
    client.research_consent_date = version.research_consent_date or timezone.localdate()
    client.save(update_fields=["research_consent_scope", "research_consent_date"])


def with_goals(terms: Terms, goals: tuple[GoalText, ...]) -> Terms:
    """The same terms with other goals (a client's proposal changes only the goals)."""
    return replace(terms, goals=goals)


def record_agreement(version: ContractVersion, side: str, at: datetime | None = None) -> bool:
    """Mark that the client or the practitioner agreed to this version; False if it was
    already marked (agreeing twice keeps the first time)."""
    field = {"client": "client_agreed_at", "practitioner": "practitioner_agreed_at"}[side]
    updated = ContractVersion.objects.filter(pk=version.pk, **{f"{field}__isnull": True}).update(
        **{field: at or timezone.now()}
    )
    return bool(updated)
