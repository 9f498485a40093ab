"""The staff side of the public page: leads edit the practice part (introduction, services,
notification address) and publish or unpublish it; each practitioner edits their own profile."""

from __future__ import annotations

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from alliance.practice.accounts.models import Membership
from alliance.practice.public.access import lead_only, org_staff
from alliance.practice.public.forms import PracticePageForm, ProfileForm, ServiceFormSet
from alliance.practice.public.models import PracticePage, PractitionerProfile


def page_of(membership: Membership) -> PracticePage:
    page, _ = PracticePage.objects.get_or_create(organisation=membership.organisation)
    page.organisation = membership.organisation
    return page


@lead_only
def edit_page(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = page_of(membership)
    data = request.POST if request.method == "POST" else None
    form = PracticePageForm(data, instance=page, prefix="page")
    services = ServiceFormSet(data, instance=page, prefix="services")
    if request.method == "POST" and all([form.is_valid(), services.is_valid()]):
        with transaction.atomic():
            form.save()
            services.save()
        messages.success(request, "The practice page is saved.")
        return redirect("public:edit_page", slug=membership.organisation.slug)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "page": page,
        "form": form,
        "services": services,
        "profiles": page.profiles.select_related("user"),
    }
    return render(
        request, "public/edit_page.html", context, status=400 if request.method == "POST" else 200
    )


@lead_only
@require_POST
def publish(request: HttpRequest, membership: Membership) -> HttpResponse:
    page = page_of(membership)
    choice = request.POST.get("publish", "")
    if choice not in ("1", "0"):
        return HttpResponse(
            "publish: expected 1 (publish) or 0 (unpublish)", status=400, content_type="text/plain"
        )
    page.is_published = choice == "1"
    page.save(update_fields=["is_published", "updated"])
    messages.success(
        request,
        "The page is published." if page.is_published else "The page is no longer public.",
    )
    return redirect("public:edit_page", slug=membership.organisation.slug)


@org_staff
def edit_profile(request: HttpRequest, membership: Membership) -> HttpResponse:
    """The signed-in practitioner's own profile (there is no URL for anyone else's)."""
    page = page_of(membership)
    profile = PractitionerProfile.objects.filter(page=page, user=membership.user).first()
    if profile is None:
        user = membership.user
        profile = PractitionerProfile(
            page=page, user=user, display_name=user.get_full_name() or user.get_username()
        )
    old_photo = profile.photo.name if profile.photo else ""
    form = ProfileForm(request.POST or None, request.FILES or None, instance=profile)
    if request.method == "POST" and form.is_valid():
        profile = form.save(commit=False)
        if form.cleaned_data.get("remove_photo") and "photo" not in request.FILES:
            profile.photo = None
        profile.save()
        new_photo = profile.photo.name if profile.photo else ""
        if old_photo and old_photo != new_photo:
            profile.photo.storage.delete(old_photo)
        messages.success(request, "Your profile is saved.")
        return redirect("public:edit_profile", slug=membership.organisation.slug)
    context = {
        "membership": membership,
        "organisation": membership.organisation,
        "page": page,
        "profile": profile,
        "form": form,
    }
    return render(
        request,
        "public/edit_profile.html",
        context,
        status=400 if request.method == "POST" else 200,
    )
