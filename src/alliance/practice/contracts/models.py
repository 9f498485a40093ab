"""The contract of an episode of care (versioned), its goals, goal ratings, the client's
secure link and the readiness check at intake.

Goal attainment scaling (GAS) ratings are not stored here: a rating at a review point is a
``collect.Response`` of the ``gas`` instrument whose items ``gas_1`` .. ``gas_10`` are the
goals' slots (``Goal.gas_item``), so ``alliance.measures.score`` computes the
Kiresuk-Sherman T-score and the client's timeline, charts and research exports show it like
any other measure (see ``alliance.practice.contracts.gas``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.practice.care.models import Episode, ResearchConsent, Session
from alliance.practice.collect.models import SecretLink

#: Days a contract link stays valid: long enough to read it at home before the next session.
LINK_DAYS = 14
#: The gas instrument has ten goal slots (gas_1 .. gas_10).
GAS_SLOTS = 10


class SessionFrequency(models.TextChoices):
    WEEKLY = "weekly", "Weekly"
    FORTNIGHTLY = "fortnightly", "Every two weeks"
    THREE_WEEKLY = "three_weekly", "Every three weeks"
    MONTHLY = "monthly", "Monthly"
    FLEXIBLE = "flexible", "As agreed from session to session"


class Contract(models.Model):
    """One per episode of care; its content lives in its versions."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="contract")
    created = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"contract of {self.episode}"


class ContractVersion(models.Model):
    """One agreed (or proposed) state of the contract; never edited after it is created,
    except for the two agreement timestamps."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    from_client = models.BooleanField(
        default=False, help_text="Proposed by the client through their secure link."
    )
    reason = models.CharField(max_length=500, blank=True, help_text="What changed and why.")
    goals = models.JSONField(
        default=list, help_text='Snapshot of the goals: [{"id": goal pk, "text": ...}].'
    )
    tasks = models.TextField(blank=True, help_text="Agreed ways of working.")
    session_frequency = models.CharField(
        max_length=20, choices=SessionFrequency.choices, default=SessionFrequency.WEEKLY
    )
    expected_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    feedback_plan = models.TextField(
        blank=True, help_text="How feedback will be collected and used."
    )
    measurement_consent = models.BooleanField(default=False)
    measurement_consent_date = models.DateField(null=True, blank=True)
    research_consent = models.CharField(
        max_length=20, choices=ResearchConsent.choices, default=ResearchConsent.NONE
    )
    research_consent_date = models.DateField(null=True, blank=True)
    client_agreed_at = models.DateTimeField(null=True, blank=True)
    practitioner_agreed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["contract", "number"]
        constraints = [
            models.UniqueConstraint(fields=["contract", "number"], name="contract_version_number")
        ]

    def __str__(self) -> str:
        return f"version {self.number} of {self.contract}"

    @property
    def author(self) -> str:
        if self.from_client:
            return "client via link"
        if self.created_by is None:
            return "a former member"
        return self.created_by.get_full_name() or self.created_by.get_username()

    @property
    def agreed_by_both(self) -> bool:
        return self.client_agreed_at is not None and self.practitioner_agreed_at is not None


class Goal(models.Model):
    """A goal in the client's own words, tracked across contract versions and sessions."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="goal_set")
    text = models.TextField()
    position = models.PositiveSmallIntegerField(default=0)
    created = models.DateTimeField(default=timezone.now)
    added_in_version = models.PositiveIntegerField()
    removed_in_version = models.PositiveIntegerField(null=True, blank=True)
    gas_item = models.CharField(
        max_length=8,
        blank=True,
        help_text="This goal's item of the gas instrument (gas_1 .. gas_10), set when its "
        "five levels are first described; never reused within the episode.",
    )
    level_minus2 = models.TextField(blank=True)
    level_minus1 = models.TextField(blank=True)
    level_0 = models.TextField(blank=True)
    level_plus1 = models.TextField(blank=True)
    level_plus2 = models.TextField(blank=True)

    LEVEL_FIELDS = (
        (-2, "level_minus2", "Much less than expected"),
        (-1, "level_minus1", "Somewhat less than expected"),
        (0, "level_0", "The expected outcome"),
        (1, "level_plus1", "Somewhat more than expected"),
        (2, "level_plus2", "Much more than expected"),
    )

    class Meta:
        ordering = ["contract", "position", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["contract", "gas_item"],
                condition=~models.Q(gas_item=""),
                name="one_goal_per_gas_item",
            )
        ]

    def __str__(self) -> str:
        return self.text[:60]

    @property
    def is_active(self) -> bool:
        return self.removed_in_version is None

    @property
    def levels(self) -> list[tuple[int, str, str]]:
        """(level, generic label, description for this client) from -2 to +2."""
        return [(v, label, getattr(self, name)) for v, name, label in self.LEVEL_FIELDS]


class GoalRating(models.Model):
    """A 0-10 rating of progress towards one goal at one session (10 = fully there)."""

    goal = models.ForeignKey(Goal, on_delete=models.CASCADE, related_name="ratings")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="goal_ratings")
    progress = models.PositiveSmallIntegerField()
    rated_at = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["goal", "session"], name="one_rating_per_session"),
            models.CheckConstraint(
                condition=models.Q(progress__lte=10), name="goal_progress_0_to_10"
            ),
        ]


class ContractLink(SecretLink):
    """The client's secure link to read, agree to and comment on their contract."""

    contract = models.ForeignKey(Contract, on_delete=models.CASCADE, related_name="links")

    class Meta:
        ordering = ["-created"]

    @classmethod
    def issue(
        cls, contract: Contract, *, created_by: object = None, days: int = LINK_DAYS
    ) -> tuple[ContractLink, str]:
        """A new link; the token is returned once and only its SHA-256 hash is stored."""
        return cls.create_with_token(days=days, contract=contract, created_by=created_by)


class ReadinessCheck(models.Model):
    """Answers to the practice-defined readiness questions (``readiness.QUESTIONS``): shown
    as given, never totalled; not a validated measure."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="readiness")
    created = models.DateTimeField(default=timezone.now)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    from_client = models.BooleanField(default=False)
    importance = models.PositiveSmallIntegerField()
    confidence = models.PositiveSmallIntegerField()
    expected_sessions = models.PositiveSmallIntegerField(null=True, blank=True)
    hopes = models.TextField()
    concerns = models.TextField(blank=True)

    class Meta:
        ordering = ["-created", "-pk"]
