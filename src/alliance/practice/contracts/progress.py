"""Each goal's progress over the sessions of an episode, and the GAS T-score over review
points: a fixed number of queries however many goals, sessions and ratings there are."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from django.db.models import F

from alliance.practice.care.models import Episode
from alliance.practice.collect.models import Response
from alliance.practice.contracts.gas import GAS
from alliance.practice.contracts.models import Goal, GoalRating
from alliance.practice.dashboard.charts import Series, line_chart

T_LOW, T_HIGH = 20.0, 80.0  # the chart's usual T-score range (as on the client page)


@dataclass
class GoalRow:
    goal: Goal
    number: int
    progress: dict[int, int] = field(default_factory=dict)  # session number -> 0..10
    levels: dict[int, int] = field(default_factory=dict)  # session number -> -2..2

    @property
    def latest_progress(self) -> int | None:
        return self.progress[max(self.progress)] if self.progress else None

    @property
    def latest_level(self) -> int | None:
        return self.levels[max(self.levels)] if self.levels else None

    @property
    def progress_list(self) -> list[tuple[int, int]]:
        return sorted(self.progress.items())

    @property
    def level_list(self) -> list[tuple[int, int]]:
        return sorted(self.levels.items())


@dataclass(frozen=True)
class ReviewPoint:
    session_number: int
    session_date: date | None
    response: Response
    levels: dict[int, int]  # goal pk -> level
    t_score: float | None
    band: str


@dataclass
class GoalProgress:
    rows: list[GoalRow]
    reviews: list[ReviewPoint]
    sessions: list[int]

    @property
    def latest_review(self) -> ReviewPoint | None:
        return self.reviews[-1] if self.reviews else None


def goal_progress(episode: Episode | None) -> GoalProgress:
    """Goals (current first, removed ones after), their ratings, and the review points (the
    latest gas response at each session; one without a session counts on its own)."""
    if episode is None:
        return GoalProgress([], [], [])
    goals = list(
        Goal.objects.filter(contract__episode=episode).order_by(
            F("removed_in_version").asc(nulls_first=True), "position", "pk"
        )
    )
    rows = {g.pk: GoalRow(g, n) for n, g in enumerate(goals, start=1)}
    by_item = {g.gas_item: g.pk for g in goals if g.gas_item}
    sessions: set[int] = set()
    ratings = GoalRating.objects.filter(goal__contract__episode=episode).values_list(
        "goal_id", "session__number", "progress"
    )
    for goal_id, number, value in ratings:
        rows[goal_id].progress[number] = value
        sessions.add(number)
    responses = (
        Response.objects.filter(episode=episode, instrument_id=GAS)
        .select_related("session")
        .prefetch_related("scale_scores")
        .order_by("submitted_at", "pk")
    )
    latest: dict[object, Response] = {}
    for r in responses:
        latest[r.session.number if r.session else ("response", r.pk)] = r
    reviews = []
    for r in latest.values():
        number = r.session.number if r.session else 0
        levels = {by_item[i]: int(v) for i, v in r.answers.items() if i in by_item}
        for goal_pk, level in levels.items():
            rows[goal_pk].levels[number] = level
        total = next((s for s in r.scale_scores.all() if s.scale_id == "total"), None)
        reviews.append(
            ReviewPoint(
                number,
                r.session.date if r.session else None,
                r,
                levels,
                total.value if total else None,
                total.band if total else "",
            )
        )
        sessions.add(number)
    reviews.sort(key=lambda p: (p.session_number, p.response.submitted_at))
    return GoalProgress(list(rows.values()), reviews, sorted(sessions))


def progress_chart(progress: GoalProgress) -> str:
    """0-10 progress of each goal over sessions (SVG)."""
    series = [
        Series(f"Goal {row.number}", row.progress_list) for row in progress.rows if row.progress
    ]
    return line_chart("goal progress (0-10)", series, low=0, high=10) if series else ""


def t_score_chart(progress: GoalProgress) -> str:
    """The GAS T-score at each review point (SVG); 50 = goals attained as expected."""
    points = [(p.session_number, p.t_score) for p in progress.reviews if p.t_score is not None]
    if not points:
        return ""
    values = [v for _, v in points]
    return line_chart(
        "GAS T-score",
        [Series("GAS T-score", points)],
        low=min(T_LOW, min(values) - 2),
        high=max(T_HIGH, max(values) + 2),
    )
