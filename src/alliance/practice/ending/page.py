"""What the practitioner's and the client's worksheet pages share: the rows to render and the
handling of a posted worksheet."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.http import HttpRequest

from alliance.practice.ending.models import RelapsePlan
from alliance.practice.ending.sections import SECTION_IDS, sections_with
from alliance.practice.ending.worksheet import (
    MAX_ENTRY_CHARS,
    PlanConflict,
    PlanInputError,
    PlanPost,
    parse_plan_post,
    save_plan,
)


def worksheet_context(
    plan: RelapsePlan,
    texts: dict[str, str],
    *,
    entries: dict[str, list[str]] | None = None,
    add: str | None = None,
) -> dict[str, Any]:
    """Each section with its entries and one empty line to write in (focused after "add a
    line" in that section)."""
    shown = {**plan.entries, **(entries or {})}
    rows = [
        {"section": s, "blanks": [1], "focus": s.id == add} for s in sections_with(shown, texts)
    ]
    return {"rows": rows, "texts": texts, "revision": plan.revision, "max_chars": MAX_ENTRY_CHARS}


@dataclass(frozen=True)
class Outcome:
    """The result of a posted worksheet: ``status`` 200 saved, 400 bad input, 409 conflict."""

    status: int
    parsed: PlanPost | None = None
    error: str = ""
    shown: dict[str, list[str]] | None = None

    def redirect_suffix(self) -> str:
        """Where to land after saving: the section acted on, or the saved notice."""
        if self.parsed is None or self.parsed.action == "save":
            return "?saved=1"
        section = self.parsed.section or ""
        if self.parsed.action == "add":  # no fragment: it would cancel the autofocus
            return f"?add={section}"
        return f"#s-{section}"


def handle_post(request: HttpRequest, plan: RelapsePlan, *, by_client: bool) -> Outcome:
    try:
        parsed = parse_plan_post(request.POST)
    except PlanInputError as exc:
        raw = {
            s: [line for line in request.POST.getlist(s) if line.strip()]
            for s in SECTION_IDS
            if s in request.POST
        }
        return Outcome(400, error=str(exc), shown=raw)
    try:
        save_plan(
            plan,
            parsed.entries,
            by_client=by_client,
            user=None if by_client else request.user,
            expected_revision=parsed.revision,
        )
    except PlanConflict:
        plan.refresh_from_db()
        return Outcome(409, parsed=parsed, shown=parsed.entries)
    return Outcome(200, parsed=parsed)


def add_param(request: HttpRequest) -> str | None:
    add = request.GET.get("add")
    return add if add in SECTION_IDS else None
