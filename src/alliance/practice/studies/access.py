"""Who may use the research area: researchers and clinical leads of an organisation, for
that organisation's projects only.  Everyone else gets 404 (never 403), as for clients.
Researchers see de-identified data only: ``alliance.practice.care.scoping`` gives them no
clients, so every client page answers them 404."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from alliance.practice.accounts.models import Membership, Organisation
from alliance.practice.studies.models import ResearchProject

RESEARCH_ROLES = (Membership.Role.RESEARCHER, Membership.Role.LEAD)

User = AbstractBaseUser | AnonymousUser


def research_organisations(user: User) -> QuerySet[Organisation]:
    """Organisations in which the user is a researcher or the clinical lead."""
    if not user.is_authenticated:
        return Organisation.objects.none()
    return Organisation.objects.filter(
        memberships__user=user, memberships__role__in=RESEARCH_ROLES
    ).distinct()


def visible_projects(user: User) -> QuerySet[ResearchProject]:
    return ResearchProject.objects.filter(organisation__in=research_organisations(user))


def get_visible_project(user: User, pk: int) -> ResearchProject:
    """The project, or 404 when it does not exist or belongs to another organisation."""
    project = visible_projects(user).filter(pk=pk).select_related("organisation").first()
    if project is None:
        raise Http404("No such project")
    return project


def research_view(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """Login required; 404 unless the user is a researcher or lead somewhere."""

    @wraps(view)
    def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        if not research_organisations(request.user).exists():
            raise Http404("No research area")
        return view(request, *args, **kwargs)

    return login_required(wrapped)
