"""What a user may see: every clinical query starts here, so access rules live in one place."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Client

CLINICAL_ROLES = {
    Membership.Role.PRACTITIONER,
    Membership.Role.SUPERVISOR,
    Membership.Role.LEAD,
}


def visible_clients(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Client]:
    """Clients this user may see.

    A practitioner sees the clients assigned to them; a supervisor also those of the
    practitioners they supervise; a clinical lead every client of their organisation.
    Administrators and researchers see no clients here.  Nobody sees another
    organisation's clients.
    """
    if not user.is_authenticated:
        return Client.objects.none()
    memberships = Membership.objects.filter(user=user, role__in=CLINICAL_ROLES)
    lead_orgs = memberships.filter(role=Membership.Role.LEAD).values("organisation")
    member_orgs = memberships.values("organisation")
    supervisees = Membership.objects.filter(
        supervisor__in=memberships.filter(role=Membership.Role.SUPERVISOR)
    ).values("user")
    rule = (
        Q(organisation__in=lead_orgs)
        | Q(assignments__practitioner=user)
        | Q(assignments__practitioner__in=supervisees)
    )
    visible_ids = Client.objects.filter(rule, organisation__in=member_orgs).values("pk")
    return Client.objects.filter(pk__in=visible_ids)


def get_visible_client(user: AbstractBaseUser | AnonymousUser, pk: int) -> Client:
    """The client, or 404 (never 403: an outsider learns nothing about what exists)."""
    client = visible_clients(user).filter(pk=pk).select_related("organisation").first()
    if client is None:
        raise Http404("No such client")
    return client
