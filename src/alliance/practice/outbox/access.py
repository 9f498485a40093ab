"""Which deliveries a user may see: those of the clients they may see (care.scoping)."""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Case, IntegerField, QuerySet, Value, When

from alliance.practice.care.scoping import visible_clients
from alliance.practice.outbox.models import Delivery

# Failures first (they need someone to act), then what is still to go, then the history.
STATUS_ORDER = Case(
    When(status=Delivery.Status.GAVE_UP, then=Value(0)),
    When(status=Delivery.Status.FAILED, then=Value(1)),
    When(status=Delivery.Status.PENDING, then=Value(2)),
    When(status=Delivery.Status.SENT, then=Value(3)),
    default=Value(4),
    output_field=IntegerField(),
)


def visible_deliveries(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Delivery]:
    """Deliveries of the clients ``user`` may see, failures first, then the newest."""
    return (
        Delivery.objects.filter(invitation__client__in=visible_clients(user))
        .select_related("invitation__client", "invitation__caregiver")
        .annotate(rank=STATUS_ORDER)
        .order_by("rank", "-created", "-pk")
    )
