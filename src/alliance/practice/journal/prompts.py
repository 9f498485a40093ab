"""The journal's optional prompts (practice-defined wording, written for Alliance).

They follow the usual questions of reflecting on countertransference: what I felt, what of it
may be mine and what the client's, how it showed in my work, and what to take to supervision.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Prompt:
    key: str
    question: str
    hint: str


PROMPTS: tuple[Prompt, ...] = (
    Prompt(
        "felt",
        "What did I feel in the session?",
        "Feelings, bodily reactions, urges, thoughts that came up before, during or after.",
    ),
    Prompt(
        "mine_or_theirs",
        "What might belong to me, and what to the client?",
        "Echoes of my own history or of what is going on in my life; what the client may be "
        "bringing into the room or inviting me into.",
    ),
    Prompt(
        "in_my_work",
        "How did it show in what I did?",
        "Where I spoke or kept quiet, reassured, pushed, rescued, withdrew or changed the plan.",
    ),
    Prompt(
        "for_supervision",
        "What will I take to supervision?",
        "A question, a moment to replay, something I am unsure about.",
    ),
)
NOTES = Prompt("notes", "Anything else", "Free notes, in your own words.")
FIELDS: tuple[Prompt, ...] = (*PROMPTS, NOTES)
FIELD_KEYS: tuple[str, ...] = tuple(p.key for p in FIELDS)
MAX_CHARS = 10_000
