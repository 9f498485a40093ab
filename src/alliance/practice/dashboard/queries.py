"""Caseload and client-page queries with a constant number of SQL statements."""

from __future__ import annotations

from functools import cache

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import (
    Case,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, TruncDate
from django.utils import timezone

from alliance.measures import all_instruments
from alliance.practice.care.models import Client, Session
from alliance.practice.care.scoping import visible_clients
from alliance.practice.collect.models import Invitation, Response, ScaleScore
from alliance.practice.dashboard.models import Alert

HEADLINE_SCALE = "total"


@cache
def instruments_of_kind(*kinds: str) -> tuple[str, ...]:
    return tuple(i.id for i in all_instruments() if i.kind in kinds)


def headline_scores(client_ref: OuterRef, kinds: tuple[str, ...]) -> QuerySet[ScaleScore]:
    """Client-rated headline ('total') scores of instruments of these kinds, newest first."""
    return ScaleScore.objects.filter(
        response__client=client_ref,
        response__respondent="client",
        response__instrument_id__in=instruments_of_kind(*kinds),
        scale_id=HEADLINE_SCALE,
        value__isnull=False,
    ).order_by("-response__submitted_at", "-response__pk")


def caseload(clients: QuerySet[Client]) -> QuerySet[Client]:
    """Annotate clients with what the caseload dashboard shows, in one query."""
    outcome = headline_scores(OuterRef("pk"), ("outcome",))
    alliance = headline_scores(OuterRef("pk"), ("alliance",))
    first_outcome = (
        ScaleScore.objects.filter(
            response__client=OuterRef("pk"),
            response__respondent="client",
            response__instrument_id=OuterRef("outcome_instrument"),
            scale_id=HEADLINE_SCALE,
            value__isnull=False,
        )
        .order_by("response__submitted_at", "response__pk")
        .values("value")[:1]
    )
    flagged = Response.objects.filter(client=OuterRef("pk")).exclude(flags=[])
    last_session = (
        Session.objects.filter(episode__client=OuterRef("pk"), status=Session.Status.ATTENDED)
        .order_by("-date")
        .values("date")[:1]
    )
    open_invitations = (
        Invitation.objects.filter(
            client=OuterRef("pk"), completed_at__isnull=True, expires_at__gt=timezone.now()
        )
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    open_alerts = (
        Alert.objects.filter(client=OuterRef("pk"), acknowledged_at__isnull=True)
        .values("client")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return clients.annotate(
        last_session=Subquery(last_session),
        outcome_instrument=Subquery(outcome.values("response__instrument_id")[:1]),
        outcome_value=Subquery(outcome.values("value")[:1], output_field=FloatField()),
        outcome_band=Subquery(outcome.values("band")[:1]),
        first_outcome_value=Subquery(first_outcome, output_field=FloatField()),
        alliance_instrument=Subquery(alliance.values("response__instrument_id")[:1]),
        alliance_value=Subquery(alliance.values("value")[:1], output_field=FloatField()),
        flagged_at=Subquery(flagged.order_by("-submitted_at").values("submitted_at")[:1]),
        flags=Subquery(flagged.order_by("-submitted_at").values("flags")[:1]),
        open_invitations=Coalesce(Subquery(open_invitations), 0),
        open_alerts=Coalesce(Subquery(open_alerts), 0),
    )


def add_changes(clients: list[Client]) -> list[Client]:
    """Change since the first score, computed for the rows of one page (not in SQL, where the
    subtraction would repeat both subqueries)."""
    for c in clients:
        latest, first = getattr(c, "outcome_value", None), getattr(c, "first_outcome_value", None)
        c.outcome_change = None if latest is None or first is None else latest - first  # type: ignore[attr-defined]
    return clients


def apply_caseload_filters(clients: QuerySet[Client], params: dict[str, str]) -> QuerySet[Client]:
    query = params.get("q", "").strip()
    if query:
        clients = clients.filter(Q(code__icontains=query) | Q(name__icontains=query))
    if params.get("flagged") == "1":
        clients = clients.filter(flagged_at__isnull=False)
    if params.get("active", "1") == "1":
        clients = clients.filter(is_active=True)
    return clients


SORTS = {
    "code": ["code"],
    "last_session": [F("last_session").desc(nulls_last=True), "code"],
    "outcome": [F("outcome_value").desc(nulls_last=True), "code"],
    "alliance": [F("alliance_value").asc(nulls_last=True), "code"],
    "flags": [F("flagged_at").desc(nulls_last=True), "code"],
    "alerts": [F("open_alerts").desc(), "code"],
}


def sort_caseload(clients: QuerySet[Client], key: str) -> QuerySet[Client]:
    return clients.order_by(*SORTS.get(key, SORTS["flags"]))


def open_alerts(user: AbstractBaseUser | AnonymousUser) -> QuerySet[Alert]:
    """Alerts not yet acknowledged, of the clients this user may see (``visible_clients``:
    a supervisor thus sees their team's)."""
    return Alert.objects.filter(client__in=visible_clients(user), acknowledged_at__isnull=True)


def sort_alerts(alerts: QuerySet[Alert]) -> QuerySet[Alert]:
    """Urgent first, then the newest: by the date of the alert's session (the day it was
    raised when the session has no date), then the latest raised."""
    urgent = Case(
        When(severity=Alert.Severity.URGENT, then=Value(0)),
        default=Value(1),
        output_field=IntegerField(),
    )
    day = Coalesce(F("session_date"), TruncDate("created"))
    return alerts.order_by(urgent, day.desc(), "-created", "-session", "-pk")
