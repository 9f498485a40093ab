"""Caseload and client-page queries with a constant number of SQL statements."""

from __future__ import annotations

from functools import cache

from django.db.models import (
    Count,
    F,
    FloatField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Coalesce
from django.utils import timezone

from alliance.measures import all_instruments
from alliance.practice.care.models import Client, Session
from alliance.practice.collect.models import Invitation, Response, ScaleScore

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
}


def sort_caseload(clients: QuerySet[Client], key: str) -> QuerySet[Client]:
    return clients.order_by(*SORTS.get(key, SORTS["flags"]))
