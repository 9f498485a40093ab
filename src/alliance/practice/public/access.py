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


def requests_rule(user_id: int, lead_orgs: Any, member_orgs: Any) -> Q:
    """Which intake requests a user sees (see the module docstring): every request of the
    organisations they lead (``lead_orgs``), and in the others they are a clinical member of
    (``member_orgs``) those addressed to them or to the practice.  The organisations may be
    ids or a subquery."""
    addressed = Q(addressed_to__isnull=True) | Q(addressed_to_id=user_id)
    return Q(organisation__in=lead_orgs) | Q(organisation__in=member_orgs) & addressed


def visible_requests(membership: Membership) -> QuerySet[IntakeRequest]:
    """The intake requests this member may see in the membership's organisation."""
    org = [membership.organisation_id]
    leads = org if membership.role == Membership.Role.LEAD else []
    return IntakeRequest.objects.filter(requests_rule(membership.user_id, leads, org))


def get_visible_request(membership: Membership, pk: int) -> IntakeRequest:
    found = visible_requests(membership).filter(pk=pk).first()
    if found is None:
        raise Http404("No such request")
    return found
