"""Recording a client's research consent (scope and date) from the client page."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST

from alliance.practice.care.scoping import get_visible_client
from alliance.practice.studies.forms import ConsentForm, error_text


@login_required
@require_POST
def record_consent(request: HttpRequest, pk: int) -> HttpResponse:
    """Store the scope and date; 404 unless the user may see the client, 400 naming the
    field and what is allowed.  Scope ``none`` withdraws consent: the client leaves every
    later export (files already handed out cannot be recalled)."""
    client = get_visible_client(request.user, pk)
    form = ConsentForm(request.POST)
    if not form.is_valid():
        return HttpResponse(
            f"Research consent not recorded: {error_text(form)}",
            status=400,
            content_type="text/plain",
        )
    client.research_consent_scope = form.cleaned_data["scope"]
    client.research_consent_date = form.cleaned_data["date"]
    client.save(update_fields=["research_consent_scope", "research_consent_date"])
    return redirect(reverse("dashboard:client", args=[client.pk]) + "#research-consent")
