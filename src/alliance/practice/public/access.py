"""Who may use the staff side of the public page and see intake requests.

Every staff URL carries the organisation's slug. Only members with a clinical role
(practitioner, supervisor, clinical lead) of that organisation get in; everyone else gets a
404 (never 403), so an outsider learns nothing about what exists. Anonymous visitors are sent
to the login page.

Intake requests: a clinical lead sees every request of the organisation; a practitioner or
supervisor sees the requests addressed to them and those addressed to the practice as a whole
(nobody chosen on the form). A request addressed to a colleague is a 404.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404, HttpRequest, HttpResponse

from alliance.practice.accounts.models import Membership
from alliance.practice.care.scoping import CLINICAL_ROLES
from alliance.practice.public.models import IntakeRequest

View = Callable[..., HttpResponse]


def clinical_membership(user: AbstractBaseUser | AnonymousUser, slug: str) -> Membership:
    """The user's clinical membership of the organisation with this slug, or 404."""
    membership = (
        Membership.objects.filter(user_id=user.pk, organisation__slug=slug, role__in=CLINICAL_ROLES)
        .select_related("organisation", "user")
        .first()
    )
    if membership is None:
        raise Http404("No such practice")
    return membership


def org_staff(view: View) -> View:
    """Log-in required; passes the user's clinical ``Membership`` of ``slug`` (or 404)."""

    @login_required
    @wraps(view)
    def wrapper(request: HttpRequest, slug: str, *args: Any, **kwargs: Any) -> HttpResponse:
        return view(request, clinical_membership(request.user, slug), *args, **kwargs)

    return wrapper


def lead_only(view: View) -> View:
    """Like ``org_staff``, for the organisation's clinical leads only (others: 404)."""

    @org_staff
    @wraps(view)
    def wrapper(
        request: HttpRequest, membership: Membership, *args: Any, **kwargs: Any
    ) -> HttpResponse:
        if membership.role != Membership.Role.LEAD:
            raise Http404("Only the practice's clinical leads edit the practice page")
        return view(request, membership, *args, **kwargs)

    return wrapper


def visible_requests(membership: Membership) -> QuerySet[IntakeRequest]:
    """The intake requests this member may see (see the module docstring)."""
    requests = IntakeRequest.objects.filter(organisation_id=membership.organisation_id)
    if membership.role == Membership.Role.LEAD:
        return requests
    return requests.filter(Q(addressed_to__isnull=True) | Q(addressed_to_id=membership.user_id))


def get_visible_request(membership: Membership, pk: int) -> IntakeRequest:
    found = visible_requests(membership).filter(pk=pk).first()
    if found is None:
        raise Http404("No such request")
    return found
