"""Template context for every staff page: the number of open alerts in the header."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db.models import Count, QuerySet
from django.http import HttpRequest

from alliance.practice.precompiled import PrecompiledQuery


def _open_alert_count(user_id: int) -> QuerySet[Any]:
    """The count of the user's open alerts as a one-row query (grouped on the always-NULL
    acknowledgement time; no row when there are none)."""
    from alliance.practice.dashboard.queries import open_alerts

    return (
        open_alerts(get_user_model()(pk=user_id))
        .order_by()
        .values("acknowledged_at")
        .annotate(n=Count("pk"))
        .values_list("n")
    )


#: Built once per process: on every staff page, building the query cost more than running it.
OPEN_ALERTS = PrecompiledQuery(_open_alert_count)


def open_alerts(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """``open_alert_count``: a callable, so the count query runs only on pages that show it
    (the header of signed-in staff pages), once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached: list[int] = []

    def count() -> int:
        if not cached:
            rows = OPEN_ALERTS.rows(user.pk)
            cached.append(int(rows[0][0]) if rows else 0)
        return cached[0]

    return {"open_alert_count": count}
