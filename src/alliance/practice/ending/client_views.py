"""The client's copy of their relapse-prevention plan, reached by a secure link without a
login: unknown links 404, expired links 410 (the page the questionnaire links use)."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt

from alliance.practice.ending.models import PlanLink
from alliance.practice.ending.page import add_param, handle_post, worksheet_context
from alliance.practice.ending.pdf import pdf_response
from alliance.practice.ending.sections import TEXTS, language_for


def find_link(token: str) -> PlanLink | None:
    found: PlanLink | None = PlanLink.find(token, "plan__episode__client__organisation")
    return found


def unavailable(request: HttpRequest, reason: str, status: int) -> HttpResponse:
    return render(request, "collect/unavailable.html", {"reason": reason}, status=status)


def usable_link(request: HttpRequest, token: str) -> PlanLink | HttpResponse:
    link = find_link(token)
    if link is None:
        return unavailable(request, "unknown", 404)
    if link.is_expired:
        return unavailable(request, "expired", 410)
    return link


@never_cache
@csrf_exempt  # the unguessable token in the URL is the credential; there is no session to ride
def client_plan(request: HttpRequest, token: str) -> HttpResponse:
    link = usable_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    plan = link.plan
    client = plan.episode.client
    language = language_for(client.preferred_language)
    texts = TEXTS[language]
    page = {"token": token, "plan": plan, "organisation": client.organisation}
    page["language"] = language
    if request.method == "POST":
        outcome = handle_post(request, plan, by_client=True)
        if outcome.status == 200:
            url = reverse("ending:client_plan", args=[token])
            return redirect(url + outcome.redirect_suffix())
        context = worksheet_context(plan, texts, entries=outcome.shown)
        context.update(page, error=outcome.error, conflict=outcome.status == 409)
        return render(request, "ending/client_plan.html", context, status=outcome.status)
    context = worksheet_context(plan, texts, add=add_param(request))
    context.update(page, saved=request.GET.get("saved") == "1")
    return render(request, "ending/client_plan.html", context)


@never_cache
def client_plan_pdf(request: HttpRequest, token: str) -> HttpResponse:
    link = usable_link(request, token)
    if isinstance(link, HttpResponse):
        return link
    return pdf_response(
        link.plan, "my-relapse-prevention-plan.pdf", download=request.GET.get("download") == "1"
    )
