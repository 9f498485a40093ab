"""Practitioner views of the contract: the current version with its history, editing (a
change makes a new version), recording agreement, and the client's secure link."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.practice.care.models import Client, ResearchConsent
from alliance.practice.care.scoping import get_visible_client
from alliance.practice.contracts.contract_form import (
    NEW_GOAL_FIELDS,
    initial_values,
    parse_terms,
    values_from_post,
)
from alliance.practice.contracts.history import LABELS, display_fields, version_history
from alliance.practice.contracts.models import Contract, ContractLink, SessionFrequency
from alliance.practice.contracts.parsing import FormError, parse_choice, parse_int
from alliance.practice.contracts.versions import (
    ContractError,
    current_episode,
    latest_version,
    record_agreement,
    save_terms,
    terms_of,
)


def bad_request(message: str) -> HttpResponse:
    return HttpResponse(message, status=400, content_type="text/plain; charset=utf-8")


def link_key(client: Client) -> str:
    return f"contract-link-{client.pk}"


@login_required
def contract_page(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    contract = Contract.objects.filter(episode=episode).first() if episode else None
    versions = (
        list(contract.versions.select_related("created_by").order_by("number")) if contract else []
    )
    current = versions[-1] if versions else None
    context = {
        "client": client,
        "episode": episode,
        "contract": contract,
        "current": current,
        "fields": display_fields(current) if current else {},
        "labels": LABELS,
        "history": version_history(versions),
        "links": list(contract.links.all()[:5]) if contract else [],
        "new_link": request.session.pop(link_key(client), None),
        "message": request.session.pop(f"contract-message-{client.pk}", None),
    }
    return render(request, "contracts/contract.html", context)


def form_context(client: Client, values: dict[str, Any], **extra: Any) -> dict[str, Any]:
    return {
        "client": client,
        "values": values,
        "new_goal_slots": range(NEW_GOAL_FIELDS),
        "frequencies": SessionFrequency.choices,
        "research_choices": ResearchConsent.choices,
        **extra,
    }


@login_required
def edit_contract(request: HttpRequest, pk: int) -> HttpResponse:
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    if episode is None:
        return bad_request("episode: this client has no episode of care yet; add one first")
    contract = Contract.objects.filter(episode=episode).first()
    current = latest_version(contract)
    previous = terms_of(current) if current else None
    if request.method != "POST":
        values = initial_values(previous, client)
        return render(request, "contracts/edit.html", form_context(client, values, current=current))
    try:
        terms, reason = parse_terms(request.POST, previous, client)
        version = save_terms(episode, terms, by=request.user, reason=reason)
    except (FormError, ContractError) as exc:
        values = values_from_post(request.POST, previous)
        context = form_context(client, values, current=current, error=str(exc))
        return render(request, "contracts/edit.html", context, status=400)
    request.session[f"contract-message-{client.pk}"] = (
        f"Saved as version {version.number}." if version else "No changes: nothing saved."
    )
    return redirect("contracts:contract", pk=client.pk)


@login_required
@require_POST
def agree(request: HttpRequest, pk: int) -> HttpResponse:
    """The practitioner agrees to the current version (e.g. the client's proposal), or
    records that the client agreed to it in session."""
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    contract = Contract.objects.filter(episode=episode).first() if episode else None
    current = latest_version(contract)
    if current is None:
        return bad_request("version: this client has no contract yet")
    try:
        side = parse_choice(request.POST, "side", ["practitioner", "client"], "")
        number = parse_int(request.POST, "version", 1, 100_000)
    except FormError as exc:
        return bad_request(str(exc))
    if number != current.number:
        return HttpResponse(
            f"version: the current version is {current.number}; reload the contract page",
            status=409,
            content_type="text/plain; charset=utf-8",
        )
    record_agreement(current, side)
    return redirect("contracts:contract", pk=client.pk)


@login_required
@require_POST
def create_link(request: HttpRequest, pk: int) -> HttpResponse:
    """A new secure link for the client (shown once on the contract page)."""
    client = get_visible_client(request.user, pk)
    episode = current_episode(client)
    contract = Contract.objects.filter(episode=episode).first() if episode else None
    if contract is None or latest_version(contract) is None:
        return bad_request("contract: write the contract first, then send it by link")
    _, token = ContractLink.issue(contract, created_by=request.user)
    url = request.build_absolute_uri(reverse("contracts:client_contract", args=[token]))
    request.session[link_key(client)] = url
    return redirect("contracts:contract", pk=client.pk)
