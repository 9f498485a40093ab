"""Reading posted fields: each error names the field and what is allowed (answered with 400)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date

from django.utils import timezone


class FormError(ValueError):
    """A posted field is missing or not allowed; the message starts with the field name."""


def parse_text(post: Mapping[str, str], name: str, max_length: int) -> str:
    text = str(post.get(name, "")).replace("\r\n", "\n").strip()
    if len(text) > max_length:
        raise FormError(f"{name}: at most {max_length} characters (got {len(text)})")
    return text


def parse_int(post: Mapping[str, str], name: str, low: int, high: int) -> int | None:
    """A whole number from ``low`` to ``high``, or None when the field is empty or absent."""
    text = str(post.get(name, "")).strip()
    if text == "":
        return None
    try:
        value = int(text)
    except ValueError:
        raise FormError(
            f"{name}: {text[:20]!r} is not a whole number; expected {low} to {high}"
        ) from None
    if not low <= value <= high:
        raise FormError(f"{name}: {value} is not allowed; expected a whole number {low} to {high}")
    return value


def require_int(post: Mapping[str, str], name: str, low: int, high: int) -> int:
    value = parse_int(post, name, low, high)
    if value is None:
        raise FormError(f"{name}: required; expected a whole number {low} to {high}")
    return value


def parse_choice(post: Mapping[str, str], name: str, allowed: Iterable[str], default: str) -> str:
    allowed = list(allowed)
    value = str(post.get(name, "")).strip() or default
    if value not in allowed:
        raise FormError(f"{name}: {value[:40]!r} is not allowed; expected one of {allowed}")
    return value


def parse_yes_no(post: Mapping[str, str], name: str) -> bool:
    value = str(post.get(name, "")).strip()
    if value not in ("yes", "no"):
        raise FormError(f"{name}: expected yes or no")
    return value == "yes"


def parse_date(post: Mapping[str, str], name: str) -> date | None:
    """An ISO date (YYYY-MM-DD) not after today, or None when empty."""
    text = str(post.get(name, "")).strip()
    if text == "":
        return None
    try:
        value = date.fromisoformat(text)
    except ValueError:
        raise FormError(f"{name}: {text[:20]!r} is not a date; expected YYYY-MM-DD") from None
    if value > timezone.localdate():
        raise FormError(f"{name}: {value} is in the future; expected a date up to today")
    return value
