"""Template context for every staff page: the number of open alerts in the header."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest


def open_alerts(request: HttpRequest) -> dict[str, Callable[[], int]]:
    """``open_alert_count``: a callable, so the count query runs only on pages that show it
    (the header of signed-in staff pages), once per page."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    cached: list[int] = []

    def count() -> int:
        if not cached:
            from alliance.practice.dashboard.queries import open_alerts as alerts_of

            cached.append(alerts_of(user).count())
        return cached[0]

    return {"open_alert_count": count}
