"""Every plain-language text of the alerts, in one place.

Each alert kind has a title and an :class:`AlertText` (keyed by the kind, or by
``kind.variant`` where the advice differs, e.g. ``alliance_rupture.bond``): an explanation
template saying what was seen and what it was compared with, numbers filled in, and the
suggested next steps for the practitioner.  Templates use ``str.format`` fields; the
alert builder in :mod:`alliance.feedback.alerts` passes numbers already formatted with
:func:`number`.  Keys ending in ``.suffix`` are sentences appended to an explanation.

Write for a busy practitioner: short, concrete and non-blaming, for the client and for the
practitioner.  The advice on ruptures follows Safran and Muran's rupture-resolution work
(Safran & Muran 2000, *Negotiating the Therapeutic Alliance: A Relational Treatment
Guide*, Guilford; Safran, Muran & Eubanks-Carter 2011, "Repairing alliance ruptures",
Psychotherapy 48(1):80-87): disagreement about goals or tasks is met by renegotiating the
work (clarify, give the rationale, change the task or goal), strain in the bond by
attending to the relationship itself (talking about what is happening between the two,
the practitioner acknowledging their own part).  The meta-analysis of Eubanks, Muran &
Safran 2018 ("Alliance rupture repair: a meta-analysis", Psychotherapy 55(4):508-519)
found rupture repair associated with better outcomes, which is why repaired ruptures are
reported as good news.  "Clients usually rate the alliance higher than practitioners":
Tryon, Blackwell & Hammel 2007 (Psychotherapy Research 17(6):629-642; d = .63).  "Asking
about suicide does not increase it": Dazzi et al. 2014 (Psychological Medicine
44(16):3361-3363), a systematic review.
"""

from __future__ import annotations

import math
import string
from dataclasses import dataclass


@dataclass(frozen=True)
class AlertText:
    explanation: str
    suggestions: tuple[str, ...] = ()


TITLES: dict[str, str] = {
    "not_on_track": "Not on track",
    "reliable_deterioration": "Reliably worse than at the start",
    "low_alliance": "Low alliance rating",
    "low_caregiver_alliance": "Low caregiver alliance rating",
    "alliance_rupture": "Possible alliance rupture",
    "alliance_rupture_resolved": "Alliance rupture repaired",
    "alliance_rupture_unresolved": "Alliance rupture not repaired",
    "alliance_discrepancy": "You rate the alliance well above the client",
    "dropout_risk": "Early signs of dropping out",
    "risk_item": "Risk answer",
    "sudden_gain": "Sudden gain",
    "sudden_loss": "Sudden loss",
}

INSTRUMENT_NAMES: dict[str, str] = {
    "core10": "CORE-10",
    "flourishing": "Flourishing Scale",
    "gad7": "GAD-7",
    "gas": "goal attainment scaling",
    "k10": "K10",
    "ors": "ORS",
    "phq9": "PHQ-9",
    "srs": "SRS",
    "swemwbs": "SWEMWBS",
    "swls": "SWLS",
    "tasc-p": "TASC-P",
    "wai-sr": "WAI-SR",
    "wai-sr-t": "WAI-SR-T",
    "wemwbs": "WEMWBS",
    "who5": "WHO-5",
}

PART_NAMES: dict[str, str] = {
    "goal": "agreement on goals",
    "task": "agreement on tasks",
    "bond": "the bond",
    "total": "the alliance as a whole",
}

PART_TOPICS: dict[str, str] = {
    "goal": "the goals of your work together",
    "task": "the way you work together",
    "bond": "your relationship",
    "total": "how the work together is going",
}

RATERS: dict[str, tuple[str, str]] = {
    # respondent: (who, whose)
    "client": ("the client", "the client's"),
    "caregiver": ("the caregiver", "the caregiver's"),
    "practitioner": ("you", "your"),
}

RISK_ITEMS: dict[str, str] = {
    "phq9_9": "item 9 (thoughts of being better off dead or of hurting themselves)",
    "core10_6": "item 6 (having made plans to end their life)",
}

LOW_ALLIANCE_BASIS: dict[str, str] = {
    "midpoint": (
        "an average answer below the middle of the answer scale; a practice convention, "
        "not a validated cut-off"
    ),
    "flag": "the concern level given with the measure",
    "setting": "the level set for this practice",
}

BASELINE_BASIS: dict[str, str] = {
    "last": "their previous rating",
    "mean": "the average of their previous {n} ratings",
}

RUPTURE_BASIS: dict[str, str] = {
    "change": "the measure's reliable change, larger than measurement error",
    "pcoms": "PCOMS treats any drop of 1 point from one session to the next as a signal",
    "half_step": (
        "on average half an answer step per item; a practice convention, not a published "
        "reliable-change figure"
    ),
    "setting": "the level set for this practice",
}

DROPOUT_FACTORS: dict[str, str] = {
    # Plain-language names of the factors of alliance.feedback.dropout (same ids), written
    # to follow "early signs that often come before clients stop attending: ...".
    "low_alliance": "a low alliance rating",
    "falling_alliance": "a falling alliance rating",
    "getting_worse": "scores getting worse since the start",
    "no_early_change": "no change yet since the start",
    "missed_sessions": "missed or late-cancelled sessions",
    "cancelled_sessions": "cancelled sessions",
    "unanswered": "unanswered questionnaires",
}

_WORK = (
    "Renegotiate the work: check that the goals are still their own, in their words, and "
    "agree together what to focus on now."
)
_TASKS = (
    "If the disagreement is about the way of working, explain why you suggested it, ask how "
    "it feels, and offer to change the method or the pace."
)
_RELATIONSHIP = (
    "Attend to the relationship before going on with the work: say that you noticed the "
    "change and ask how the last session was for them, with you."
)
_OWN_PART = (
    "Listen for their experience of you and acknowledge your own part (for example "
    "'I think I moved too fast'), without defending yourself or over-apologising."
)

TEXTS: dict[str, AlertText] = {
    # -- alliance ---------------------------------------------------------------------
    "low_alliance": AlertText(
        explanation=(
            "At session {session} the client rated the working alliance {score} out of {max} "
            "on the {instrument}, an average answer of {item_mean} on its {answer_low}-"
            "{answer_high} scale. That is below the concern level of {threshold} ({basis})."
        ),
        suggestions=(
            "Early in the next session, ask how the work is going for the client, including "
            "what is not helping, and make it easy to say.",
            "Check the three parts together: are you working on what matters to them "
            "(goals), in a way that makes sense to them (tasks), and do they feel understood "
            "and respected (bond)?",
            "Take criticism without defending yourself; thank them for saying it and agree "
            "one concrete change.",
            "Ask again next session whether the change has helped.",
        ),
    ),
    "low_alliance.suffix": AlertText(
        explanation=" The lowest part was {part} ({part_score} out of {part_max})."
    ),
    "low_alliance.srs": AlertText(
        explanation=(
            "At session {session} the client rated the session {score} out of {max} on the "
            "SRS. Ratings below {threshold} are the PCOMS signal that something about the "
            "session did not fit for the client."
        ),
        suggestions=(
            "Thank the client for an honest rating: a low score given openly is a chance to "
            "adjust while there is still time.",
            "Ask which of the four lines (the relationship, goals and topics, approach or "
            "method, overall) could have been better, and what would have made it better.",
            "Agree one concrete change for the next session and look at the rating together then.",
        ),
    ),
    "low_caregiver_alliance": AlertText(
        explanation=(
            "At session {session} the caregiver rated their working relationship with you "
            "{score} out of {max} on the {instrument}, an average answer of {item_mean} on "
            "its {answer_low}-{answer_high} scale. That is below the concern level of "
            "{threshold} ({basis})."
        ),
        suggestions=(
            "Offer the caregiver a short conversation, without the child if that suits, "
            "about how they see the work and what they had hoped for.",
            "Check that you agree on what the child's difficulties are and on what would "
            "count as progress.",
            "Ask what makes taking part hard (times, travel, what is asked of them at home) "
            "and what would help.",
            "Acknowledge what the caregiver knows about their child and plan the next steps "
            "with them.",
        ),
    ),
    "alliance_rupture": AlertText(
        explanation=(
            "At session {session} {who} rated the alliance {score} on the {instrument}, "
            "{drop} below their own baseline of {baseline} ({baseline_basis}). "
            "A drop of {threshold} or more is treated as a possible rupture "
            "({threshold_basis})."
        ),
    ),
    "alliance_rupture.suffix": AlertText(explanation=" The largest drop was in {parts}."),
    "alliance_rupture.part": AlertText(
        explanation="{part} ({part_baseline} before, {part_score} now, out of {part_max})"
    ),
    "alliance_rupture.work": AlertText(
        explanation="",
        suggestions=(
            "Raise it openly and without blame: 'Your rating was lower this time; I'd like "
            "to understand what didn't work for you.'",
            _WORK,
            _TASKS,
            "Check at the next session whether the new agreement fits.",
        ),
    ),
    "alliance_rupture.bond": AlertText(
        explanation="",
        suggestions=(
            _RELATIONSHIP,
            _OWN_PART,
            "Thank them for letting you know: ruptures that are talked through and repaired "
            "often leave the relationship stronger.",
            "If it stays difficult, take it to supervision and reflect on your own reactions.",
        ),
    ),
    "alliance_rupture.mixed": AlertText(
        explanation="",
        suggestions=(
            _RELATIONSHIP + " Acknowledge your own part.",
            "Then " + _WORK[0].lower() + _WORK[1:],
            "Check at the next session whether things feel better.",
        ),
    ),
    "alliance_rupture.unlocated": AlertText(
        explanation="",
        suggestions=(
            "Ask what changed: the relationship, the goals and topics, or the way of working "
            "(on the SRS, look at the four lines together).",
            "If it is about goals or the way of working, renegotiate the work; if it is about "
            "the relationship, talk about what is happening between you and acknowledge your "
            "own part.",
            "Thank them for the honest rating and check at the next session whether things "
            "feel better.",
        ),
    ),
    "alliance_rupture_resolved": AlertText(
        explanation=(
            "The drop in {whose} alliance rating at session {rupture_session} ({rupture_score} "
            "against a baseline of {baseline}) was repaired by session {session}, when the "
            "{instrument} rating was back at {score}."
        ),
        suggestions=(
            "Note what you did that helped: a repaired rupture is a good sign and goes with "
            "better outcomes.",
            "Check briefly with them that the issue feels settled, and keep an eye on it.",
        ),
    ),
    "alliance_rupture_unresolved": AlertText(
        explanation=(
            "The drop in {whose} alliance rating at session {rupture_session} ({rupture_score} "
            "against a baseline of {baseline}) has not recovered in the {n_after} ratings "
            "since; the latest {instrument} rating, at session {session}, was {score}."
        ),
        suggestions=(
            "If you have not yet, raise the change directly: ask what has not felt right and "
            "what would help.",
            "Go through goals, tasks and the relationship together and agree what to change.",
            "Ruptures that stay unrepaired go with poorer outcomes and dropping out: discuss "
            "the case in supervision.",
        ),
    ),
    "alliance_discrepancy": AlertText(
        explanation=(
            "At session {session} your rating of {part} on the {practitioner_instrument} "
            "({practitioner_score} out of {max}) was well above the client's on the "
            "{client_instrument} ({client_score}): {gap} answer steps higher per item on "
            "average, where {threshold} or more raises this alert. Clients usually rate the "
            "alliance a little higher than practitioners do, so a gap this way round "
            "suggests the client experiences the work less positively than you do."
        ),
        suggestions=(
            "Don't take the client's agreement for granted: ask them directly how they see "
            "{topic}.",
            "Invite disagreement: 'I may have the wrong idea about how this is going for you.'",
            "Ask what would make it one step better, and adjust.",
            "If the gap surprises you, reflect on it in supervision.",
        ),
    ),
    # -- outcome ----------------------------------------------------------------------
    "reliable_deterioration": AlertText(
        explanation=(
            "At session {session} the client's {instrument} score was {score}, against "
            "{first_score} at the first rating (session {first_session}): {change} points "
            "worse. A change of {threshold} points or more is larger than measurement error "
            "alone would explain (reliable change)."
        ),
        suggestions=(
            "Share the change with the client and ask how things have been, including "
            "anything that has happened outside the sessions.",
            "Check for risk.",
            "Review the plan together: consider changing the focus, the approach or the "
            "intensity, or adding support.",
            "Discuss the case in supervision, and consider a medical review or referral if "
            "that fits.",
        ),
    ),
    "not_on_track": AlertText(
        explanation=(
            "At session {session} the client's {instrument} score was {score}. Clients who "
            "started at a similar level were expected to be at about {expected} by now; "
            "{score} is beyond {boundary}, a point that only {tail_percent} of clients making "
            "ordinary progress pass."
        ),
        suggestions=(
            "Show the client the chart and ask for their view of how things are going.",
            "Check the alliance: do you agree on goals and tasks, and how is the relationship "
            "for them?",
            "Consider changing something now (the focus, the method, the frequency, or extra "
            "support) and discuss the case in supervision.",
            "An off-track signal is an early warning, not a verdict: many clients get back on "
            "track when the work is adjusted.",
        ),
    ),
    "dropout_risk": AlertText(
        explanation=(
            "By session {session} there are early signs that often come before clients stop "
            "attending: {factors} (drop-out risk score {score}, {level})."
        ),
        suggestions=(
            "Ask how therapy fits into the client's life now and whether it is what they expected.",
            "Talk openly about early progress and the alliance, and agree what would make "
            "coming worthwhile.",
            "Make attending easier (times, reminders, remote sessions) and follow up a missed "
            "session personally.",
        ),
    ),
    "sudden_gain": AlertText(
        explanation=(
            "Between sessions {pregain_session} and {session} the client's {instrument} score "
            "improved by {magnitude} points in one step ({pregain_score} to {postgain_score}) "
            "and stayed improved: a sudden gain."
        ),
        suggestions=(
            "Ask the client what changed around that time and help them name what they did "
            "that helped.",
            "Build on it: plan together how to keep doing what worked.",
            "Sudden gains usually last; if the score slips back, talk about it early.",
        ),
    ),
    "sudden_loss": AlertText(
        explanation=(
            "Between sessions {pregain_session} and {session} the client's {instrument} score "
            "worsened by {magnitude} points in one step ({pregain_score} to {postgain_score}) "
            "and stayed worse: a sudden loss."
        ),
        suggestions=(
            "Ask what happened around that time, in the client's life and in the sessions.",
            "Check for risk and ask how the work with you is going.",
            "Agree with the client what to change; if it does not recover, discuss the case "
            "in supervision.",
        ),
    ),
    # -- risk -------------------------------------------------------------------------
    "risk_item": AlertText(
        explanation=(
            "At session {session} the client answered {answer} (on a {answer_low}-"
            "{answer_high} scale) to {instrument} {item}. Any answer above {flag_value} on "
            "this item calls for a risk review, whatever the total score."
        ),
        suggestions=(
            "Follow your service's risk procedure today: ask directly about thoughts, plans, "
            "intent and means, and about what keeps the client safe.",
            "Asking openly about suicide does not put the idea in someone's head; it often "
            "brings relief.",
            "Agree a safety plan with the client and record what you did.",
        ),
    ),
    "risk_item.flag": AlertText(
        explanation=(
            "At session {session} the client's answers raised the risk flag on {instrument} "
            "{item}. Any answer above {flag_value} on this item calls for a risk review, "
            "whatever the total score."
        ),
    ),
}


def number(value: float, decimals: int | None = None) -> str:
    """A number as people write it, without trailing zeros: by default one decimal (a
    baseline of 51.3), two below 1 (a gap of 0.75 answer steps)."""
    key = (value, decimals)
    text = _NUMBERS.get(key)
    if text is None:
        text = _number(value, decimals)
        if len(_NUMBERS) < 50_000:  # scores repeat: a few thousand distinct values at most
            _NUMBERS[key] = text
    return text


_NUMBERS: dict[tuple[float, int | None], str] = {}


def _number(value: float, decimals: int | None) -> str:
    if value.is_integer():
        return str(int(value))
    if not math.isfinite(value):
        return "unknown"
    if decimals is None:
        decimals = 2 if abs(value) < 1 else 1
    text = f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else f"{value:.0f}"
    return "0" if text == "-0" else text


def instrument_name(instrument_id: str) -> str:
    return INSTRUMENT_NAMES.get(instrument_id, instrument_id.upper())


def text_fields(key: str) -> set[str]:
    """The template fields used by a text (its explanation and suggestions)."""
    text = TEXTS[key]
    fields: set[str] = set()
    for template in (text.explanation, *text.suggestions):
        fields.update(name for _, name, _, _ in string.Formatter().parse(template) if name)
    return fields


def render(key: str, values: dict[str, str]) -> tuple[str, tuple[str, ...]]:
    """Fill in the explanation and suggestions of ``TEXTS[key]``."""
    text = TEXTS[key]
    return (
        text.explanation.format(**values),
        tuple(s.format(**values) for s in text.suggestions),
    )
