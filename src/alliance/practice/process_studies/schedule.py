"""Scheduling rules of a process study, as pure functions of plain values (no database).

Interpersonal Process Recall (Elliott 1986, in Greenberg & Pinsof (eds.), *The
Psychotherapeutic Process: A Research Handbook*, Guilford, pp. 503-527) interviews the client
and the practitioner separately, soon after a recorded session, while the session is still
fresh; a study therefore fixes the sessions it records (by default sessions 3 and 5, when the
alliance forms) and a window after each session within which both interviews are held
(by default 48 hours).

Session times.  A session in Alliance has a date, not a time.  When a session is marked
recorded, the user may enter the time the session ended; without it the session is taken to
end at ``DEFAULT_SESSION_END`` (17:00, the end of a working day) in the practice's time zone.
The interviews are due ``window_hours`` after that moment.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta, tzinfo

DEFAULT_SESSIONS: tuple[int, ...] = (3, 5)
DEFAULT_WINDOW_HOURS = 48
DEFAULT_SESSION_END = time(17, 0)
MAX_WINDOW_HOURS = 24 * 60
MAX_SESSION_NUMBER = 200

DUE = "due"
OVERDUE = "overdue"
DONE = "done"
CANCELLED = "cancelled"
STATES = (OVERDUE, DUE, DONE, CANCELLED)


class ScheduleError(ValueError):
    """A study setting that cannot be used; the message names the field and what is allowed."""


def session_end(day: date, tz: tzinfo, at: time | None = None) -> datetime:
    """The moment the session of ``day`` ended: ``at`` if given, else the documented default."""
    return datetime.combine(day, at or DEFAULT_SESSION_END, tzinfo=tz)


def due_at(recorded_at: datetime, window_hours: int = DEFAULT_WINDOW_HOURS) -> datetime:
    """When an interview after a session recorded at ``recorded_at`` is due."""
    check_window(window_hours)
    return recorded_at + timedelta(hours=window_hours)


def interview_state(status: str, due: datetime, now: datetime) -> str:
    """``done`` and ``cancelled`` as stored; a ``due`` interview past its due time is
    ``overdue`` (exactly at the due time it is still due)."""
    if status in (DONE, CANCELLED):
        return status
    return OVERDUE if now > due else DUE


def time_left(due: datetime, now: datetime) -> str:
    """``"1 day 3 hours left"`` before the due time, ``"5 hours overdue"`` after it
    (whole hours, rounded down; under an hour in minutes)."""
    seconds = int((due - now).total_seconds())
    span = _span(abs(seconds))
    return f"{span} left" if seconds >= 0 else f"{span} overdue"


def _span(seconds: int) -> str:
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    if days == 0 and hours == 0:
        minutes = rest // 60
        return _count(minutes, "minute")
    parts = [_count(days, "day")] if days else []
    if hours:
        parts.append(_count(hours, "hour"))
    return " ".join(parts)


def _count(n: int, noun: str) -> str:
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def totals_sentence(
    practitioner_interviews: int, practitioners: int, client_interviews: int, clients: int
) -> str:
    """The study's done interviews per role, e.g. ``"24 practitioner interviews with 12
    practitioners and 23 client interviews with 12 clients: 47 in all"``."""
    return (
        f"{_count(practitioner_interviews, 'practitioner interview')} with "
        f"{_count(practitioners, 'practitioner')} and "
        f"{_count(client_interviews, 'client interview')} with {_count(clients, 'client')}: "
        f"{practitioner_interviews + client_interviews} in all"
    )


def parse_session_numbers(text: str) -> list[int]:
    """``"3, 5"`` -> ``[3, 5]``: distinct session numbers 1-200, sorted."""
    parts = [p for p in text.replace(";", ",").replace(" ", ",").split(",") if p]
    if not parts:
        raise ScheduleError("sessions: expected session numbers such as 3, 5")
    numbers: list[int] = []
    for part in parts:
        if not part.isdigit() or not 1 <= int(part) <= MAX_SESSION_NUMBER:
            raise ScheduleError(
                f"sessions: {part!r} is not a session number; expected whole numbers "
                f"1-{MAX_SESSION_NUMBER} separated by commas, such as 3, 5"
            )
        numbers.append(int(part))
    return sorted(set(numbers))


def check_window(hours: int) -> int:
    if not 1 <= hours <= MAX_WINDOW_HOURS:
        raise ScheduleError(
            f"window_hours: {hours} is not allowed; expected 1-{MAX_WINDOW_HOURS} hours"
        )
    return hours


def format_numbers(numbers: Iterable[int]) -> str:
    """``[3, 5]`` -> ``"3 and 5"``; ``[1, 3, 5]`` -> ``"1, 3 and 5"``."""
    items = [str(n) for n in numbers]
    if len(items) <= 1:
        return "".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]
