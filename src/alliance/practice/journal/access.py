"""Who may read or write journal entries: the client scope AND authorship or sharing.

* Writing: a practitioner assigned to the client (``care.Assignment``) who can see it.
* Reading: the author, while they can see the client; and the supervisor an entry was shared
  with, while they supervise the author in the client's organisation (so they also see the
  client).  Nobody else, whatever their role: everything else is a 404.
* Changing (edit, share, unshare, delete): the author only.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Exists, OuterRef, Q, QuerySet
from django.http import Http404

from alliance.practice.accounts.models import Membership
from alliance.practice.care.models import Assignment, Client
from alliance.practice.care.scoping import get_visible_client, visible_clients
from alliance.practice.journal.models import JournalEntry

User = AbstractBaseUser | AnonymousUser


def supervises(user: User) -> Exists:
    """True for entries whose author ``user`` supervises in the client's organisation."""
    return Exists(
        Membership.objects.filter(
            user=OuterRef("author"),
            organisation=OuterRef("client__organisation"),
            supervisor__user=user.pk,
            supervisor__role=Membership.Role.SUPERVISOR,
        )
    )


def readable_entries(user: User) -> QuerySet[JournalEntry]:
    """The entries ``user`` may read: their own, and those shared with them by a supervisee,
    of clients they can see."""
    if not user.is_authenticated:
        return JournalEntry.objects.none()
    own = Q(author=user)
    shared = Q(shared_with=user) & supervises(user)
    return JournalEntry.objects.filter(own | shared, client__in=visible_clients(user))


def shared_with_me(user: User) -> QuerySet[JournalEntry]:
    """Entries shared with ``user`` (a supervisor) by the practitioners they supervise."""
    return readable_entries(user).filter(shared_with=user).exclude(author=user)


def get_readable_entry(user: User, pk: int) -> JournalEntry:
    entry = readable_entries(user).filter(pk=pk).select_related("client", "session").first()
    if entry is None:
        raise Http404("No such entry")
    return entry


def get_own_entry(user: User, pk: int) -> JournalEntry:
    """An entry its author may change; 404 for anyone else (a supervisor reads only)."""
    entry = get_readable_entry(user, pk)
    if entry.author_id != user.pk:
        raise Http404("No such entry")
    return entry


def can_write_for(user: User, client: Client) -> bool:
    return bool(
        user.is_authenticated
        and Assignment.objects.filter(client=client, practitioner=user.pk).exists()
    )


def get_writable_client(user: User, pk: int) -> Client:
    """The client, if ``user`` can see it and is assigned to it; otherwise 404."""
    client = get_visible_client(user, pk)
    if not can_write_for(user, client):
        raise Http404("No such client")
    return client


def supervisor_of(author: User, client: Client) -> AbstractBaseUser | None:
    """The author's supervisor in the client's organisation (a member with the supervisor
    role), or None."""
    membership = (
        Membership.objects.filter(
            user=author.pk,
            organisation=client.organisation_id,
            supervisor__role=Membership.Role.SUPERVISOR,
        )
        .select_related("supervisor__user")
        .first()
    )
    return membership.supervisor.user if membership and membership.supervisor else None
