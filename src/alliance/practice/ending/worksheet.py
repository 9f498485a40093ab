"""Reading a posted worksheet and saving it with its history of changes.

The form posts every entry of a section under the section's id (``warning_signs=...`` once per
line, blank lines ignored) and one ``action``: ``save``, ``add:<section>`` (save, then show one
more empty line there) or ``remove:<section>:<n>`` (save without the section's n-th posted line,
counting from 0).  It works the same with and without JavaScript.  A hidden ``revision`` carries
the plan's revision the form was shown with: when the plan has changed since (the client and
the practitioner editing at once), nothing is saved and the form comes back with a conflict
(409) instead of silently overwriting the other side's lines.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from django.db import transaction
from django.http import QueryDict
from django.utils import timezone

from alliance.practice.care.models import Episode
from alliance.practice.ending.models import PlanChange, RelapsePlan
from alliance.practice.ending.sections import SECTION_IDS, TEXTS

MAX_ENTRY_CHARS = 300
MAX_ENTRIES = 20


class PlanInputError(ValueError):
    """A posted worksheet that cannot be saved; the message names the field and the rule."""


class PlanConflict(Exception):
    """The plan changed after the form was shown."""


@dataclass(frozen=True)
class PlanPost:
    entries: dict[str, list[str]]  # only the sections present in the post
    action: str  # "save" | "add" | "remove"
    section: str | None
    revision: int | None


def _field(section: str) -> str:
    return f"{section} ({TEXTS['en'][section]})"


def parse_plan_post(post: QueryDict) -> PlanPost:
    action, section, remove_at = _parse_action(post.get("action", "save"))
    entries: dict[str, list[str]] = {}
    for sid in SECTION_IDS:
        if sid not in post:
            continue
        raw = post.getlist(sid)
        if remove_at is not None and sid == section:
            if remove_at >= len(raw):
                raise PlanInputError(
                    f"action: line {remove_at} of {sid} does not exist "
                    f"({len(raw)} posted, counting from 0)"
                )
            raw = raw[:remove_at] + raw[remove_at + 1 :]
        entries[sid] = clean_entries(sid, raw)
    if action == "remove" and section not in entries:
        raise PlanInputError(f"action: no lines of {section} were posted to remove one from")
    return PlanPost(entries, action, section, _parse_revision(post.get("revision")))


def _parse_action(text: str) -> tuple[str, str | None, int | None]:
    allowed = "expected save, add:<section> or remove:<section>:<line number>"
    parts = text.split(":")
    if parts == ["save"]:
        return "save", None, None
    if len(parts) >= 2 and parts[1] not in SECTION_IDS:
        raise PlanInputError(
            f"action: unknown section {parts[1]!r}; sections are {', '.join(SECTION_IDS)}"
        )
    if len(parts) == 2 and parts[0] == "add":
        return "add", parts[1], None
    if len(parts) == 3 and parts[0] == "remove" and parts[2].isdigit():
        return "remove", parts[1], int(parts[2])
    raise PlanInputError(f"action: {text[:40]!r} is not allowed; {allowed}")


def _parse_revision(text: str | None) -> int | None:
    if text is None or text == "":
        return None
    if not text.isdigit():
        raise PlanInputError("revision: expected a whole number (the form's hidden field)")
    return int(text)


def clean_entries(section: str, raw: list[str]) -> list[str]:
    """Lines stripped (line breaks inside a line kept as ``\\n``), blank lines dropped."""
    lines = ["\n".join(p.strip() for p in r.replace("\r\n", "\n").split("\n")).strip() for r in raw]
    lines = [line for line in lines if line]
    for n, line in enumerate(lines, start=1):
        if len(line) > MAX_ENTRY_CHARS:
            raise PlanInputError(
                f"{_field(section)}: each line at most {MAX_ENTRY_CHARS} characters; "
                f"line {n} has {len(line)}"
            )
    if len(lines) > MAX_ENTRIES:
        raise PlanInputError(
            f"{_field(section)}: at most {MAX_ENTRIES} lines; {len(lines)} were given"
        )
    return lines


def plan_for(episode: Episode) -> RelapsePlan:
    plan, _ = RelapsePlan.objects.get_or_create(episode=episode)
    return plan


def save_plan(
    plan: RelapsePlan,
    entries: Mapping[str, list[str]],
    *,
    by_client: bool,
    user: object = None,
    expected_revision: int | None = None,
) -> list[PlanChange]:
    """Store the sections that changed, one history row per changed section.

    Raises ``PlanConflict`` when ``expected_revision`` is given and the plan has moved on.
    A practitioner's save also marks the client's earlier changes as seen (they were on the
    page)."""
    now = timezone.now()
    with transaction.atomic():
        locked = RelapsePlan.objects.select_for_update().get(pk=plan.pk)
        if expected_revision is not None and locked.revision != expected_revision:
            raise PlanConflict
        changes = [
            PlanChange(
                plan=locked,
                section=sid,
                by_client=by_client,
                changed_by=None if by_client else user,
                at=now,
                before=locked.section(sid),
                after=list(entries[sid]),
            )
            for sid in SECTION_IDS
            if sid in entries and list(entries[sid]) != locked.section(sid)
        ]
        if changes:
            locked.entries = {
                sid: list(entries[sid]) if sid in entries else locked.section(sid)
                for sid in SECTION_IDS
            }
            locked.revision += 1
            locked.updated = now
            if not locked.is_complete:
                locked.completed_at = None
            elif locked.completed_at is None:
                locked.completed_at = now
            PlanChange.objects.bulk_create(changes)
        if not by_client:
            locked.reviewed_at = now
        locked.save()
    plan.__dict__.update({k: getattr(locked, k) for k in _FIELDS})
    return changes


_FIELDS = ("entries", "revision", "updated", "completed_at", "reviewed_at")
