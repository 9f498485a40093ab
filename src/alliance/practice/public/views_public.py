"""The public side: a practice's page at ``/p/<slug>/``, its request form, the thank-you page
and practitioner photos. No login; unpublished pages (and profiles) are 404. Nothing from a
stored request is ever rendered here."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.db.models import QuerySet
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from alliance.practice.public import ratelimit
from alliance.practice.public.forms import IntakeForm
from alliance.practice.public.models import IntakeRequest, PracticePage, PractitionerProfile
from alliance.practice.public.notify import notify_practice
from alliance.practice.public.photos import content_type_of


def published_page(slug: str) -> PracticePage:
    page = (
        PracticePage.objects.filter(organisation__slug=slug, is_published=True)
        .select_related("organisation")
        .first()
    )
    if page is None:
        raise Http404("No such page")
    return page


def published_profiles(page: PracticePage) -> QuerySet[PractitionerProfile]:
    """Profiles their authors published, of people still active members of the practice."""
    return page.profiles.filter(
        is_published=True,
        user__is_active=True,
        user__memberships__organisation_id=page.organisation_id,
    )


def render_page(
    request: HttpRequest, page: PracticePage, form: IntakeForm, status: int = 200
) -> HttpResponse:
    context: dict[str, Any] = {
        "page": page,
        "organisation": page.organisation,
        "profiles": form.profiles,
        "services": list(page.services.all()),
        "form": form,
        "error_fields": [form[name].label for name in form.errors if name in form.fields],
    }
    return render(request, "public/page.html", context, status=status)


def make_form(page: PracticePage, data: Any = None) -> IntakeForm:
    return IntakeForm(data, page=page, profiles=list(published_profiles(page)))


def practice_page(request: HttpRequest, slug: str) -> HttpResponse:
    page = published_page(slug)
    return render_page(request, page, make_form(page))


@never_cache
@require_POST
def submit_request(request: HttpRequest, slug: str) -> HttpResponse:
    page = published_page(slug)
    if not ratelimit.allow(request):
        return render(request, "public/rate_limited.html", {"page": page}, status=429)
    form = make_form(page, request.POST)
    if form.is_bot():
        return redirect("public:thanks", slug=slug)  # pretend success, store nothing
    if not form.is_valid():
        return render_page(request, page, form, status=400)
    data = form.cleaned_data
    profiles = {p.user_id: p for p in form.profiles}
    chosen = profiles.get(data["practitioner"]) if data["practitioner"] else None
    service = data["service"]
    with transaction.atomic():
        intake = IntakeRequest.objects.create(
            organisation=page.organisation,
            addressed_to_id=chosen.user_id if chosen else None,
            name=data["name"],
            email=data["email"],
            phone=data["phone"],
            service=service,
            service_name=service.name if service else "",
            modality=data["modality"],
            message=data["message"],
            consent_to_contact=True,
        )
    notify_practice(request, page, intake)
    return redirect("public:thanks", slug=slug)


def thanks(request: HttpRequest, slug: str) -> HttpResponse:
    page = published_page(slug)
    return render(request, "public/thanks.html", {"page": page, "organisation": page.organisation})


def photo(request: HttpRequest, slug: str, pk: int) -> FileResponse:
    """A published profile's photo on a published page (else 404)."""
    page = published_page(slug)
    profile = published_profiles(page).filter(pk=pk).first()
    if profile is None or not profile.photo:
        raise Http404("No such photo")
    try:
        handle = profile.photo.open("rb")
    except FileNotFoundError:
        raise Http404("No such photo") from None
    response = FileResponse(handle, content_type=content_type_of(profile.photo.name))
    response["Cache-Control"] = "public, max-age=3600"
    return response
