"""What changed between two contract versions, word by word (plain Python, no Django).

A version is given as a mapping of field name to its displayed text plus ``goals``, a list
of ``{"id": goal id, "text": ...}``; goals are matched by id, so a reworded goal shows as
one goal whose words changed, not as one removed and one added.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal

Op = Literal["same", "del", "ins"]
WORDS = re.compile(r"\w+|[^\w\s]+|\s+")  # words, punctuation and spaces apart


@dataclass(frozen=True)
class Segment:
    op: Op
    text: str


@dataclass(frozen=True)
class FieldChange:
    field: str
    label: str
    old: str
    new: str
    segments: tuple[Segment, ...]


@dataclass(frozen=True)
class GoalChange:
    kind: Literal["added", "removed", "reworded"]
    old: str
    new: str
    segments: tuple[Segment, ...]


def word_diff(old: str, new: str) -> tuple[Segment, ...]:
    """Segments that turn ``old`` into ``new``: unchanged, deleted and inserted runs of words."""
    a, b = WORDS.findall(old), WORDS.findall(new)
    out: list[Segment] = []
    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            out.append(Segment("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(Segment("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(Segment("ins", "".join(b[j1:j2])))
    return tuple(out)


def goal_changes(
    old: Sequence[Mapping[str, Any]], new: Sequence[Mapping[str, Any]]
) -> list[GoalChange]:
    """Goals added, removed or reworded from ``old`` to ``new`` (in the new order, then the
    removed ones)."""
    before = {g["id"]: str(g["text"]) for g in old}
    seen = set()
    changes = []
    for goal in new:
        text = str(goal["text"])
        if goal["id"] not in before:
            changes.append(GoalChange("added", "", text, (Segment("ins", text),)))
            continue
        seen.add(goal["id"])
        if before[goal["id"]] != text:
            old_text = before[goal["id"]]
            changes.append(GoalChange("reworded", old_text, text, word_diff(old_text, text)))
    for goal in old:
        if goal["id"] not in seen and goal["id"] not in {g["id"] for g in new}:
            text = str(goal["text"])
            changes.append(GoalChange("removed", text, "", (Segment("del", text),)))
    return changes


def field_changes(
    old: Mapping[str, str] | None, new: Mapping[str, str], labels: Mapping[str, str]
) -> list[FieldChange]:
    """Fields (other than goals) whose displayed text differs; all of them for a first
    version (``old`` None), shown as inserted."""
    changes = []
    for name, label in labels.items():
        before = "" if old is None else old.get(name, "")
        after = new.get(name, "")
        if before != after:
            changes.append(FieldChange(name, label, before, after, word_diff(before, after)))
    return changes
