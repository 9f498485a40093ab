"""The readiness check at intake: practice-defined questions about motivation and expectations.

There is no open, validated readiness instrument in Alliance, so these questions are
Alliance's own wording, clearly marked as practice-defined: the answers are shown as given,
never added up into a score, and carry no cut-offs.  (Rulers of importance and confidence
from 0 to 10 are a common conversational device in motivational interviewing; they are not
used here as a measure.)
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

from alliance.practice.contracts.parsing import FormError, parse_int, parse_text, require_int

LABEL = "Practice-defined questions, not a validated measure: answers are shown as given, "
LABEL += "with no total score."
MAX_TEXT = 2000


@dataclass(frozen=True)
class Question:
    id: str
    text: str
    kind: Literal["scale", "number", "text"]
    required: bool = True
    low: str = ""
    high: str = ""


QUESTIONS = (
    Question(
        "importance",
        "How important is it to you that things change?",
        "scale",
        low="0 = not at all important",
        high="10 = extremely important",
    ),
    Question(
        "confidence",
        "How confident are you that you can make the changes you want?",
        "scale",
        low="0 = not at all confident",
        high="10 = extremely confident",
    ),
    Question(
        "expected_sessions",
        "How many sessions do you expect to need?",
        "number",
        required=False,
    ),
    Question("hopes", "What do you hope will be different when we finish?", "text"),
    Question(
        "concerns",
        "Is there anything that might get in the way, or that worries you about starting?",
        "text",
        required=False,
    ),
)


@dataclass(frozen=True)
class Answers:
    importance: int
    confidence: int
    expected_sessions: int | None
    hopes: str
    concerns: str


def parse_answers(post: Mapping[str, str]) -> Answers:
    """Validated answers; raises FormError naming the question and what is allowed."""
    importance = require_int(post, "importance", 0, 10)
    confidence = require_int(post, "confidence", 0, 10)
    hopes = parse_text(post, "hopes", MAX_TEXT)
    if not hopes:
        raise FormError("hopes: please write what you hope will be different (required)")
    return Answers(
        importance=importance,
        confidence=confidence,
        expected_sessions=parse_int(post, "expected_sessions", 1, 200),
        hopes=hopes,
        concerns=parse_text(post, "concerns", MAX_TEXT),
    )


def answer_pairs(check: object) -> list[tuple[Question, object]]:
    """(question, answer) for display, in the questions' order; unanswered shown as None."""
    return [(q, getattr(check, q.id) if getattr(check, q.id) != "" else None) for q in QUESTIONS]
