"""The alert registry (``ALERT_KINDS``), the :class:`Alert` record, and an alert's
explanation and suggestions filled in from :mod:`alliance.feedback.texts`."""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from string import Formatter
from typing import Literal

from .. import texts

Severity = Literal["info", "warning", "urgent"]
SEVERITIES: tuple[Severity, ...] = ("info", "warning", "urgent")
FactValue = float | int | str | None


@dataclass(frozen=True)
class AlertKind:
    """A registered kind of alert: default severity and the rule that raises it."""

    id: str
    severity: Severity
    rule: str


ALERT_KINDS: dict[str, AlertKind] = {
    kind.id: kind
    for kind in (
        AlertKind(
            "not_on_track",
            "warning",
            "score worse than the warning boundary of the expected treatment response "
            "(alliance.feedback.etr)",
        ),
        AlertKind(
            "reliable_deterioration",
            "warning",
            "worse than the first score by at least the scale's reliable change "
            "(Jacobson & Truax 1991; definition change parameters)",
        ),
        AlertKind(
            "low_alliance",
            "warning",
            "client alliance total below the concern level (SRS < 36; WAI-SR item mean "
            "below the answer-scale midpoint, a convention)",
        ),
        AlertKind(
            "low_caregiver_alliance",
            "warning",
            "caregiver alliance total below the concern level (TASC-P item mean below the "
            "answer-scale midpoint, a convention)",
        ),
        AlertKind(
            "alliance_rupture",
            "warning",
            "drop from the rater's running baseline by at least the rupture threshold "
            "(SRS: 1 point from the previous session)",
        ),
        AlertKind(
            "alliance_rupture_resolved",
            "info",
            "a rupture's rating came back to its baseline within the repair window",
        ),
        AlertKind(
            "alliance_rupture_unresolved",
            "warning",
            "a rupture's rating did not come back to its baseline within the repair window",
        ),
        AlertKind(
            "alliance_discrepancy",
            "warning",
            "practitioner WAI-SR-T item mean at least one answer step above the client's "
            "WAI-SR in the same session",
        ),
        AlertKind(
            "dropout_risk",
            "warning",
            "early drop-out risk score in the first sessions (alliance.feedback.dropout)",
        ),
        AlertKind(
            "risk_item",
            "urgent",
            "an answer on a risk item meets the instrument's risk flag (e.g. PHQ-9 item 9 > 0)",
        ),
        AlertKind(
            "sudden_gain",
            "info",
            "sudden gain, Tang & DeRubeis 1999 criteria (alliance.feedback.sudden_gains)",
        ),
        AlertKind(
            "sudden_loss",
            "warning",
            "sudden loss, Tang & DeRubeis 1999 criteria mirrored (alliance.feedback.sudden_gains)",
        ),
    )
}
KIND_ORDER = {kind: n for n, kind in enumerate(ALERT_KINDS)}


@dataclass(frozen=True)
class Alert:
    """One explained alert; ``facts`` holds the numbers behind the explanation."""

    client_id: str
    session: int
    kind: str
    scale: str | None
    severity: Severity
    explanation: str
    suggestions: tuple[str, ...]
    instrument: str | None = None
    facts: Mapping[str, FactValue] = field(default_factory=dict)

    def to_json_dict(self) -> dict[str, object]:
        return {
            "client_id": self.client_id,
            "session": self.session,
            "kind": self.kind,
            "instrument": self.instrument,
            "scale": self.scale,
            "severity": self.severity,
            "explanation": self.explanation,
            "suggestions": list(self.suggestions),
        }


def _texts(
    kind: str,
    values: dict[str, str],
    explanation_keys: tuple[str, ...] | None,
    advice_key: str | None,
) -> tuple[str, tuple[str, ...]]:
    """The explanation and suggestions of an alert of ``kind``, filled in from ``values``:
    the explanation joins the texts of ``explanation_keys``, the suggestions are those of
    ``advice_key`` (both default to the kind's own text)."""
    keys = (kind,) if explanation_keys is None else explanation_keys
    template = _EXPLANATIONS.get(keys)
    if template is None:
        # Each text is a complete format string, so formatting the joined templates gives
        # the joined formatted texts.
        template = _EXPLANATIONS[keys] = "".join(texts.TEXTS[k].explanation for k in keys)
    return template.format_map(values), _suggestions(
        kind if advice_key is None else advice_key, values
    )


_FIELD_ROOT = re.compile(r"[.\[]")
_EXPLANATIONS: dict[tuple[str, ...], str] = {}
_FIXED_SUGGESTIONS: dict[str, tuple[str, ...]] = {}
_SUGGESTION_FIELDS: dict[str, tuple[str, ...]] = {}
_SUGGESTIONS: dict[tuple[str, tuple[str, ...]], tuple[str, ...]] = {}


def _suggestions(key: str, values: dict[str, str]) -> tuple[str, ...]:
    """The suggestions of ``TEXTS[key]`` filled in from ``values``, rendered once for each
    combination of the values they use (most use none)."""
    fixed = _FIXED_SUGGESTIONS.get(key)
    if fixed is not None:
        return fixed
    fields = _SUGGESTION_FIELDS.get(key)
    if fields is None:
        fields = _SUGGESTION_FIELDS[key] = tuple(
            sorted(
                {
                    _FIELD_ROOT.split(name, maxsplit=1)[0]
                    for s in texts.TEXTS[key].suggestions
                    for _, name, _, _ in _parse(s)
                    if name
                }
            )
        )
    used = tuple([values[f] for f in fields])
    rendered = _SUGGESTIONS.get((key, used))
    if rendered is None:
        rendered = tuple(s.format_map(values) for s in texts.TEXTS[key].suggestions)
        if not fields:
            _FIXED_SUGGESTIONS[key] = rendered
        elif len(_SUGGESTIONS) < 10_000:  # bounded: the values used are few (a part name)
            _SUGGESTIONS[(key, used)] = rendered
    return rendered


def _parse(template: str) -> list[tuple[str, str | None, str | None, str | None]]:
    return list(Formatter().parse(template))
