"""The ending checklist of one episode, worked out from what is stored (no checklist state of
its own, so it can never disagree with the record):

1. Final measures sent: for every outcome measure of the episode (``followups.outcome_measures``)
   an invitation created, or a response given, on or after the day of the last session (not a
   follow-up).  The last session's own pre-session link counts: it is the final measure.
2. Relapse-prevention plan completed: every required section has an entry
   (``sections.REQUIRED_SECTIONS``).
3. Ending reason recorded: the episode has an end date and an ending reason.
4. Follow-ups scheduled: at least one follow-up invitation exists for the episode.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from django.utils import timezone

from alliance.practice.care.models import Episode, Respondent
from alliance.practice.collect.models import Invitation, Response
from alliance.practice.ending.followups import last_session_date, outcome_measures
from alliance.practice.ending.models import FollowUp, PlanChange, RelapsePlan
from alliance.practice.ending.sections import SECTION_IDS

HEADLINE_SCALE = "total"


@dataclass(frozen=True)
class FinalMeasure:
    instrument_id: str
    asked: datetime | None
    answered: datetime | None

    @property
    def done(self) -> bool:
        return self.asked is not None or self.answered is not None


@dataclass(frozen=True)
class FollowUpRow:
    follow_up: FollowUp
    status: str  # scheduled | due | answered | expired
    score: float | None = None
    band: str = ""
    answered_at: datetime | None = None

    @property
    def label(self) -> str:
        m = self.follow_up.months
        return f"follow-up at {m} month{'s' if m != 1 else ''}"

    @property
    def can_cancel(self) -> bool:
        return self.status == "scheduled"


@dataclass(frozen=True)
class ChecklistItem:
    key: str
    label: str
    done: bool


@dataclass(frozen=True)
class EndingState:
    episode: Episode
    last_session: date | None
    final_measures: list[FinalMeasure]
    plan: RelapsePlan | None
    follow_ups: list[FollowUpRow]
    unseen_changes: list[PlanChange] = field(default_factory=list)

    @property
    def final_done(self) -> bool:
        return self.last_session is not None and all(f.done for f in self.final_measures)

    @property
    def plan_done(self) -> bool:
        return self.plan is not None and self.plan.is_complete

    @property
    def ending_done(self) -> bool:
        return self.episode.ended is not None and bool(self.episode.ending_reason)

    @property
    def follow_ups_done(self) -> bool:
        return bool(self.follow_ups)

    @property
    def items(self) -> list[ChecklistItem]:
        return [
            ChecklistItem("final_measures", "Final measures sent", self.final_done),
            ChecklistItem("plan", "Relapse-prevention plan completed", self.plan_done),
            ChecklistItem("ending_reason", "Ending reason recorded", self.ending_done),
            ChecklistItem("follow_ups", "Follow-up invitations scheduled", self.follow_ups_done),
        ]

    @property
    def done_count(self) -> int:
        return sum(item.done for item in self.items)

    @property
    def unseen_sections(self) -> list[str]:
        """The sections the client changed since the practitioner last looked, in worksheet
        order."""
        changed = {change.section for change in self.unseen_changes}
        return [s for s in SECTION_IDS if s in changed]


def ending_state(episode: Episode) -> EndingState:
    base = last_session_date(episode)
    measures = outcome_measures(episode)
    plan = RelapsePlan.objects.filter(episode=episode).first()
    unseen: list[PlanChange] = []
    if plan is not None:
        changes = plan.changes.filter(by_client=True)
        if plan.reviewed_at is not None:
            changes = changes.filter(at__gt=plan.reviewed_at)
        unseen = list(changes)
    return EndingState(
        episode=episode,
        last_session=base,
        final_measures=_final_measures(episode, measures, base),
        plan=plan,
        follow_ups=follow_up_rows(episode),
        unseen_changes=unseen,
    )


def _final_measures(episode: Episode, measures: list[str], base: date | None) -> list[FinalMeasure]:
    if base is None:
        return [FinalMeasure(i, None, None) for i in measures]
    asked: dict[str, datetime] = {}
    answered: dict[str, datetime] = {}
    invitations = Invitation.objects.filter(
        episode=episode,
        instrument_id__in=measures,
        respondent=Respondent.CLIENT,
        follow_up__isnull=True,
        created__date__gte=base,
    ).values_list("instrument_id", "created")
    for instrument_id, created in invitations:
        asked[instrument_id] = max(created, asked.get(instrument_id, created))
    responses = Response.objects.filter(
        episode=episode,
        instrument_id__in=measures,
        respondent=Respondent.CLIENT,
        invitation__follow_up__isnull=True,
        submitted_at__date__gte=base,
    ).values_list("instrument_id", "submitted_at")
    for instrument_id, at in responses:
        answered[instrument_id] = max(at, answered.get(instrument_id, at))
    return [FinalMeasure(i, asked.get(i), answered.get(i)) for i in measures]


def follow_up_rows(episode: Episode) -> list[FollowUpRow]:
    follow_ups = (
        FollowUp.objects.filter(episode=episode)
        .select_related("invitation", "invitation__response")
        .prefetch_related("invitation__response__scale_scores")
        .order_by("months", "instrument_id")
    )
    now = timezone.now()
    rows = []
    for fu in follow_ups:
        inv = fu.invitation
        response = getattr(inv, "response", None)
        if response is not None:
            scores = list(response.scale_scores.all())
            headline = next((s for s in scores if s.scale_id == HEADLINE_SCALE), None)
            headline = headline or (scores[0] if scores else None)
            rows.append(
                FollowUpRow(
                    fu,
                    "answered",
                    headline.value if headline else None,
                    headline.band if headline else "",
                    response.submitted_at,
                )
            )
        elif inv.send_after is not None and inv.send_after > now:
            rows.append(FollowUpRow(fu, "scheduled"))
        elif inv.expires_at <= now:
            rows.append(FollowUpRow(fu, "expired"))
        else:
            rows.append(FollowUpRow(fu, "due"))
    return rows
