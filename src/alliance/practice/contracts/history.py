"""Contract versions as text for display, and what changed from each version to the next."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from alliance.practice.contracts.diff import FieldChange, GoalChange, field_changes, goal_changes
from alliance.practice.contracts.models import ContractVersion

LABELS = {
    "tasks": "Agreed ways of working",
    "session_frequency": "How often we meet",
    "expected_sessions": "Expected number of sessions",
    "feedback_plan": "How feedback is collected and used",
    "measurement_consent": "Consent to measurement",
    "research_consent": "Consent to research use",
}


def display_fields(version: ContractVersion) -> dict[str, str]:
    """Each field of the version as the words shown to both sides."""

    def on(day: object) -> str:
        return f" (recorded {day.day} {day:%b %Y})" if isinstance(day, date) else ""

    measurement = "Yes" if version.measurement_consent else "No"
    return {
        "tasks": version.tasks,
        "session_frequency": version.get_session_frequency_display(),
        "expected_sessions": str(version.expected_sessions or "not set"),
        "feedback_plan": version.feedback_plan,
        "measurement_consent": measurement + on(version.measurement_consent_date),
        "research_consent": version.get_research_consent_display()
        + on(version.research_consent_date),
    }


@dataclass(frozen=True)
class HistoryEntry:
    version: ContractVersion
    fields: list[FieldChange]
    goals: list[GoalChange]

    first: bool = False


def version_history(versions: list[ContractVersion]) -> list[HistoryEntry]:
    """Newest first: each version with what changed since the one before it."""
    entries = []
    previous: ContractVersion | None = None
    for version in sorted(versions, key=lambda v: v.number):
        entries.append(
            HistoryEntry(
                version,
                field_changes(
                    display_fields(previous) if previous else None,
                    display_fields(version),
                    LABELS,
                ),
                goal_changes(previous.goals if previous else [], version.goals),
                first=previous is None,
            )
        )
        previous = version
    return entries[::-1]
