"""The outbox's settings, read from Django settings (environment variables in settings.py).

ALLIANCE_BASE_URL     start of the links in emails (default http://127.0.0.1:8000)
OUTBOX_REMINDER_DAYS  one reminder this many days after the link was last emailed, if still
                      unanswered and not expired (default 3; 0 = no reminders)
OUTBOX_RETRY_MINUTES  waits after the 1st, 2nd, ... failed attempt (default 5,30,120; the last
                      value repeats)
OUTBOX_MAX_ATTEMPTS   give up after this many failed attempts (default 4)
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import timedelta

from django.conf import settings

from alliance.practice.env import SettingError

DEFAULT_BASE_URL = "http://127.0.0.1:8000"
DEFAULT_REMINDER_DAYS = 3
DEFAULT_RETRY_MINUTES = (5, 30, 120)
DEFAULT_MAX_ATTEMPTS = 4
LEASE = timedelta(minutes=15)  # a crashed worker's claim expires after this
SMTP_TIMEOUT_SECONDS = 30  # for a mail backend without a timeout: no send outlives the lease


@dataclass(frozen=True)
class OutboxSettings:
    base_url: str
    reminder_days: int
    retry_minutes: tuple[int, ...]
    max_attempts: int

    def retry_delay(self, failed_attempts: int) -> timedelta:
        """The wait after the ``failed_attempts``-th failure (1-based)."""
        index = min(max(failed_attempts, 1), len(self.retry_minutes)) - 1
        return timedelta(minutes=self.retry_minutes[index])


def _whole_numbers(name: str, values: Iterable[object], minimum: int) -> tuple[int, ...]:
    numbers = []
    for value in values:
        try:
            number = int(str(value).strip())
        except ValueError:
            raise SettingError(f"{name}={value!r}: expected whole numbers of minutes") from None
        if number < minimum:
            raise SettingError(f"{name}={value!r}: expected whole numbers >= {minimum}")
        numbers.append(number)
    if not numbers:
        raise SettingError(f"{name}: expected at least one number of minutes")
    return tuple(numbers)


def outbox_settings() -> OutboxSettings:
    """The current settings, checked (a bad value raises SettingError naming the setting)."""
    base_url = str(getattr(settings, "ALLIANCE_BASE_URL", DEFAULT_BASE_URL) or DEFAULT_BASE_URL)
    if not base_url.startswith(("http://", "https://")):
        raise SettingError(f"ALLIANCE_BASE_URL={base_url!r}: expected http://... or https://...")
    days = _whole_numbers(
        "OUTBOX_REMINDER_DAYS",
        [getattr(settings, "OUTBOX_REMINDER_DAYS", DEFAULT_REMINDER_DAYS)],
        minimum=0,
    )[0]
    retry = getattr(settings, "OUTBOX_RETRY_MINUTES", DEFAULT_RETRY_MINUTES)
    if isinstance(retry, str):
        retry = retry.split(",")
    attempts = _whole_numbers(
        "OUTBOX_MAX_ATTEMPTS",
        [getattr(settings, "OUTBOX_MAX_ATTEMPTS", DEFAULT_MAX_ATTEMPTS)],
        minimum=1,
    )[0]
    return OutboxSettings(
        base_url=base_url.rstrip("/"),
        reminder_days=days,
        retry_minutes=_whole_numbers("OUTBOX_RETRY_MINUTES", retry, minimum=1),
        max_attempts=attempts,
    )
