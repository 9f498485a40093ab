"""The contract form: goals (one field each), ways of working, frequency, expected sessions,
feedback, and the two consents; parsed into ``Terms`` or a ``FormError`` naming the field."""

from __future__ import annotations

from datetime import date
from typing import Any

from django.http import QueryDict
from django.utils import timezone

from alliance.practice.care.models import Client, ResearchConsent
from alliance.practice.contracts.models import SessionFrequency
from alliance.practice.contracts.parsing import (
    FormError,
    parse_choice,
    parse_date,
    parse_int,
    parse_text,
    parse_yes_no,
)
from alliance.practice.contracts.versions import GoalText, Terms

MAX_GOAL = 500
MAX_GOALS = 10
MAX_TEXT = 3000
MAX_REASON = 500
NEW_GOAL_FIELDS = 3
MAX_EXPECTED_SESSIONS = 200


def parse_goals(post: QueryDict, current: list[GoalText]) -> tuple[GoalText, ...]:
    """Current goals (``goal_<id>``; emptied = removed) then new ones (``new_goal``)."""
    known = {f"goal_{g.goal_id}" for g in current}
    unknown = sorted(k for k in post if k.startswith("goal_") and k not in known)
    if unknown:
        raise FormError(f"{unknown[0]}: not a current goal of this contract")
    goals = []
    for goal in current:
        text = parse_text(post, f"goal_{goal.goal_id}", MAX_GOAL)
        if text:
            goals.append(GoalText(goal.goal_id, text))
    for text in post.getlist("new_goal"):
        text = text.replace("\r\n", "\n").strip()
        if len(text) > MAX_GOAL:
            raise FormError(f"new_goal: at most {MAX_GOAL} characters per goal")
        if text:
            goals.append(GoalText(None, text))
    if not goals:
        raise FormError("goals: write at least one goal, in the client's own words")
    if len(goals) > MAX_GOALS:
        raise FormError(f"goals: at most {MAX_GOALS} goals at a time (got {len(goals)})")
    return tuple(goals)


def consent_date(given: date | None, same_as_before: bool, before: date | None) -> date:
    """The date entered; else the earlier date when the answer did not change; else today."""
    if given is not None:
        return given
    if same_as_before and before is not None:
        return before
    return timezone.localdate()


def parse_terms(post: QueryDict, previous: Terms | None, client: Client) -> tuple[Terms, str]:
    """(terms, reason for the change) from the posted contract form."""
    current = list(previous.goals) if previous else []
    goals = parse_goals(post, current)
    measurement = parse_yes_no(post, "measurement_consent")
    research = parse_choice(post, "research_consent", ResearchConsent.values, "")
    if previous is not None:
        research_before = (previous.research_consent, previous.research_consent_date)
    else:
        research_before = (client.research_consent_scope, client.research_consent_date)
    terms = Terms(
        goals=goals,
        tasks=parse_text(post, "tasks", MAX_TEXT),
        session_frequency=parse_choice(
            post, "session_frequency", SessionFrequency.values, SessionFrequency.WEEKLY
        ),
        expected_sessions=parse_int(post, "expected_sessions", 1, MAX_EXPECTED_SESSIONS),
        feedback_plan=parse_text(post, "feedback_plan", MAX_TEXT),
        measurement_consent=measurement,
        measurement_consent_date=consent_date(
            parse_date(post, "measurement_consent_date"),
            previous is not None and previous.measurement_consent == measurement,
            previous.measurement_consent_date if previous else None,
        ),
        research_consent=research,
        research_consent_date=consent_date(
            parse_date(post, "research_consent_date"),
            research_before[0] == research,
            research_before[1],
        ),
    )
    return terms, parse_text(post, "reason", MAX_REASON)


def initial_values(previous: Terms | None, client: Client) -> dict[str, Any]:
    """Values to show in the form: the current version, with research consent as the client
    record holds it now (it may have been changed outside the contract)."""
    if previous is None:
        values = form_values(Terms(goals=()))
        values.update(
            measurement_consent=None,
            research_consent=client.research_consent_scope,
            research_consent_date=client.research_consent_date,
        )
        return values
    values = form_values(previous)
    if client.research_consent_scope != previous.research_consent:
        values["research_consent"] = client.research_consent_scope
        values["research_consent_date"] = client.research_consent_date
    return values


def form_values(terms: Terms) -> dict[str, Any]:
    """Every value the form template shows (it looks each one up)."""
    values: dict[str, Any] = {name: getattr(terms, name) for name in terms.__dataclass_fields__}
    values.update(goals=list(terms.goals), new_goals=[], reason="")
    return values


def values_from_post(post: QueryDict, previous: Terms | None) -> dict[str, Any]:
    """The posted values, to show the form again with an error."""
    values = form_values(Terms(goals=()))
    values.update({k: post.get(k, "") for k in values if k in post})
    current = list(previous.goals) if previous else []
    values["goals"] = [GoalText(g.goal_id, post.get(f"goal_{g.goal_id}", "")) for g in current]
    values["new_goals"] = post.getlist("new_goal")
    values["measurement_consent"] = {"yes": True, "no": False}.get(
        post.get("measurement_consent", "")
    )
    return values
