"""The client's side, reached by a secure link (no login; the token is the key): read the
current contract, agree to it, propose changes to the goals in their own words, and answer
the readiness questions.  Unknown link: 404; expired: 410 (as collect does)."""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from alliance.practice.contracts import readiness
from alliance.practice.contracts.contract_form import NEW_GOAL_FIELDS, parse_goals
from alliance.practice.contracts.history import LABELS, display_fields
from alliance.practice.contracts.models import ContractLink, ContractVersion, ReadinessCheck
from alliance.practice.contracts.parsing import FormError, parse_int
from alliance.practice.contracts.versions import (
    ContractError,
    GoalText,
    latest_version,
    record_agreement,
    save_terms,
    terms_of,
    with_goals,
)


def find_link(token: str) -> ContractLink | None:
    found: ContractLink | None = ContractLink.find(token, "contract__episode__client")
    return found


def unavailable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "contracts/unavailable.html", {"reason": reason}, status=status)


def open_link(
    request: HttpRequest, token: str
) -> tuple[ContractLink, ContractVersion] | HttpResponse:
    link = find_link(token)
    if link is None:
        return unavailable(request, "unknown", 404)
    if link.is_expired:
        return unavailable(request, "expired", 410)
    current = latest_version(link.contract)
    if current is None:
        return unavailable(request, "unknown", 404)
    return link, current


@never_cache
@csrf_exempt  # the unguessable token in the URL is the credential; there is no session to ride
def client_contract(request: HttpRequest, token: str) -> HttpResponse:
    opened = open_link(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, current = opened
    status = 200
    error = None
    if request.method == "POST":
        try:
            number = parse_int(request.POST, "version", 1, 100_000)
        except FormError as exc:
            number, error, status = None, str(exc), 400
        if error is None and number != current.number:
            error, status = "version: the contract changed meanwhile; please read it again", 409
        if error is None:
            record_agreement(current, "client")
            return redirect("contracts:client_contract", token=token)
    context: dict[str, Any] = {
        "token": token,
        "version": current,
        "fields": display_fields(current),
        "labels": LABELS,
        "episode": link.contract.episode,
        "error": error,
    }
    return render(request, "contracts/client_contract.html", context, status=status)


@never_cache
@csrf_exempt
def client_goals(request: HttpRequest, token: str) -> HttpResponse:
    """The client rewrites, removes or adds goals; a change becomes a new version from the
    client (which the practitioner sees on the client page)."""
    opened = open_link(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, current = opened
    terms = terms_of(current)
    context: dict[str, Any] = {
        "token": token,
        "goals": list(terms.goals),
        "new_goal_slots": range(NEW_GOAL_FIELDS),
        "new_goals": [],
    }
    if request.method != "POST":
        return render(request, "contracts/client_goals.html", context)
    try:
        goals = parse_goals(request.POST, list(terms.goals))
        version = save_terms(link.contract.episode, with_goals(terms, goals), from_client=True)
    except (FormError, ContractError) as exc:
        context.update(
            error=str(exc),
            goals=[
                GoalText(g.goal_id, request.POST.get(f"goal_{g.goal_id}", "")) for g in terms.goals
            ],
            new_goals=request.POST.getlist("new_goal"),
        )
        return render(request, "contracts/client_goals.html", context, status=400)
    context.update(saved=version is not None, unchanged=version is None)
    return render(request, "contracts/client_goals_saved.html", context)


@never_cache
@csrf_exempt
def client_readiness(request: HttpRequest, token: str) -> HttpResponse:
    opened = open_link(request, token)
    if isinstance(opened, HttpResponse):
        return opened
    link, _ = opened
    context: dict[str, Any] = {
        "token": token,
        "questions": readiness.QUESTIONS,
        "label": readiness.LABEL,
        "values": {},
        "respondent": True,
    }
    if request.method != "POST":
        return render(request, "contracts/readiness.html", context)
    try:
        answers = readiness.parse_answers(request.POST)
    except FormError as exc:
        context.update(error=str(exc), values=request.POST.dict())
        return render(request, "contracts/readiness.html", context, status=400)
    ReadinessCheck.objects.create(
        episode=link.contract.episode, from_client=True, **asdict(answers)
    )
    context["saved"] = True
    return render(request, "contracts/client_goals_saved.html", context)
