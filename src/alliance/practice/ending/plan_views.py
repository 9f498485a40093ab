"""The practitioner's relapse-prevention plan pages: the worksheet written in session, its
history, the client's link and the PDF.  Every URL is scoped through the client."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.care.models import Episode
from alliance.practice.care.scoping import get_visible_client
from alliance.practice.ending.models import PLAN_LINK_DAYS, PlanChange, PlanLink, RelapsePlan
from alliance.practice.ending.page import add_param, handle_post, worksheet_context
from alliance.practice.ending.pdf import pdf_response
from alliance.practice.ending.sections import SECTION_IDS, SHORT_TITLES, TEXTS, language_for
from alliance.practice.ending.worksheet import plan_for

LANGUAGE_NAMES = {"en": "English", "es": "Spanish"}


@dataclass(frozen=True)
class HistoryRow:
    change: PlanChange
    title: str
    unseen: bool


def visible_episode(request: HttpRequest, pk: int, episode_id: int) -> Episode:
    """The episode of a client this user may see, or 404."""
    client = get_visible_client(request.user, pk)
    episode = Episode.objects.filter(client=client, pk=episode_id).first()
    if episode is None:
        raise Http404("No such episode")
    episode.client = client
    return episode


def plan_url(episode: Episode) -> str:
    return reverse("ending:plan", args=[episode.client_id, episode.pk])


@login_required
def plan_page(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    episode = visible_episode(request, pk, episode_id)
    texts = TEXTS["en"]
    if request.method == "POST":
        plan = plan_for(episode)
        outcome = handle_post(request, plan, by_client=False)
        if outcome.status == 200:
            return redirect(plan_url(episode) + outcome.redirect_suffix())
        context = worksheet_context(plan, texts, entries=outcome.shown)
        context.update(error=outcome.error, conflict=outcome.status == 409)
        return render_plan(request, episode, plan, context, status=outcome.status)
    plan = RelapsePlan.objects.filter(episode=episode).first() or RelapsePlan(episode=episode)
    context = worksheet_context(plan, texts, add=add_param(request))
    context["saved"] = request.GET.get("saved") == "1"
    return render_plan(request, episode, plan, context)


def render_plan(
    request: HttpRequest,
    episode: Episode,
    plan: RelapsePlan,
    context: dict,
    status: int = 200,
) -> HttpResponse:
    changes = (
        list(plan.changes.select_related("changed_by").order_by("-at", "pk")) if plan.pk else []
    )
    history = [
        HistoryRow(
            c,
            SHORT_TITLES[c.section],
            c.by_client and (plan.reviewed_at is None or c.at > plan.reviewed_at),
        )
        for c in changes
    ]
    unseen = [row for row in history if row.unseen]
    language = language_for(episode.client.preferred_language)
    context.update(
        {
            "client": episode.client,
            "episode": episode,
            "plan": plan,
            "history": history,
            "unseen": unseen,
            "unseen_titles": [
                SHORT_TITLES[s] for s in SECTION_IDS if any(r.change.section == s for r in unseen)
            ],
            "missing": [SHORT_TITLES[s] for s in plan.missing_required],
            "section_count": len(SECTION_IDS),
            "link": plan.links.first() if plan.pk else None,
            "new_link": request.session.pop(f"ending-plan-link-{plan.pk}", None)
            if plan.pk
            else None,
            "link_days": PLAN_LINK_DAYS,
            "language_name": LANGUAGE_NAMES.get(language, language),
        }
    )
    return render(request, "ending/plan.html", context, status=status)


@login_required
def plan_pdf(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    episode = visible_episode(request, pk, episode_id)
    plan = RelapsePlan.objects.filter(episode=episode).first() or RelapsePlan(episode=episode)
    filename = f"relapse-prevention-plan-{episode.client.code}.pdf"
    return pdf_response(plan, filename, download=request.GET.get("download") == "1")


@login_required
@require_POST
def plan_link(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    """A new link for the client to their plan (shown once on the plan page)."""
    episode = visible_episode(request, pk, episode_id)
    plan = plan_for(episode)
    _, token = PlanLink.issue(plan, created_by=request.user)
    link = request.build_absolute_uri(reverse("ending:client_plan", args=[token]))
    request.session[f"ending-plan-link-{plan.pk}"] = link
    return redirect(plan_url(episode) + "#new-plan-link")


@login_required
@require_POST
def plan_seen(request: HttpRequest, pk: int, episode_id: int) -> HttpResponse:
    """The practitioner has seen the client's changes: they are no longer highlighted."""
    episode = visible_episode(request, pk, episode_id)
    RelapsePlan.objects.filter(episode=episode).update(reviewed_at=timezone.now())
    if request.POST.get("return_to") == "plan":
        return redirect(plan_url(episode))
    return redirect(reverse("dashboard:client", args=[episode.client_id]) + "#ending")
