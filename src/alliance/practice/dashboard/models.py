"""Feedback stored for the dashboard: explained alerts and the practice's fitted ETR models.

Alerts are computed by the pure engine (``alliance.feedback.alerts``) from a client's history
and stored here, one row per signal: (client, episode, kind, instrument, scale, session) is
unique, so recomputing a client's alerts updates the rows already there instead of adding
copies, and an acknowledgement (who, when, what was done) is never overwritten.  The episode
is part of the key because session numbers start again at 1 in every episode of care.
Instrument and scale are '' (not NULL) when an alert has none (drop-out risk), because SQL
unique constraints treat NULLs as distinct.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import Client, Episode

#: The note of an alert the practice-wide refresh stored closed (see ``alert_store``).
AUTO_CLOSED_NOTE = (
    "Closed automatically: found when the practice's alerts were recomputed, about a session "
    "before the client's latest one."
)


class Alert(models.Model):
    class Severity(models.TextChoices):
        INFO = "info", "Information"
        WARNING = "warning", "Warning"
        URGENT = "urgent", "Urgent"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="alerts")
    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="alerts")
    kind = models.CharField(max_length=40)
    instrument_id = models.CharField(max_length=40, blank=True, default="")
    scale = models.CharField(max_length=40, blank=True, default="")
    session = models.PositiveIntegerField(help_text="Session number within the episode.")
    caregiver_ref = models.PositiveIntegerField(
        default=0,
        help_text="The caregiver whose answers raised the alert (their id; 0: not a caregiver's). "
        "A number, not a foreign key, because it is part of the unique key and SQL treats "
        "NULLs as distinct.",
    )
    session_date = models.DateField(null=True, blank=True)
    severity = models.CharField(max_length=10, choices=Severity.choices)
    explanation = models.TextField()
    suggestions = models.JSONField(default=list)
    created = models.DateTimeField(default=timezone.now)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="acknowledged_alerts",
    )
    action_note = models.TextField(blank=True, help_text="What was done about it.")

    UNIQUE_FIELDS = (
        "client",
        "episode",
        "kind",
        "instrument_id",
        "scale",
        "session",
        "caregiver_ref",
    )
    #: What a recomputation may change; never the acknowledgement fields.
    RECOMPUTED_FIELDS = ("severity", "explanation", "suggestions", "session_date")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=[
                    "client",
                    "episode",
                    "kind",
                    "instrument_id",
                    "scale",
                    "session",
                    "caregiver_ref",
                ],
                name="one_alert_per_caregiver_signal",
            )
        ]
        indexes = [models.Index(fields=["client", "acknowledged_at"], name="alert_open")]

    def __str__(self) -> str:
        return f"{self.kind} {self.client_id} session {self.session}"

    @property
    def is_open(self) -> bool:
        return self.acknowledged_at is None

    @property
    def closed_automatically(self) -> bool:
        return self.acknowledged_by_id is None and self.action_note == AUTO_CLOSED_NOTE


class ExpectedResponseModel(models.Model):
    """An expected-treatment-response model fitted on one organisation's finished episodes.

    ``model`` holds exactly what ``alliance.feedback.etr.save_model`` writes to a file
    (``EtrModel.to_json_dict()``: coefficients, percentile, sessions covered, and what it was
    fitted on), so a practice can read and audit it, and export it for ``alliance etr check``.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="etr_models"
    )
    instrument_id = models.CharField(max_length=40)
    scale = models.CharField(max_length=40, default="total")
    model = models.JSONField()
    fitted_at = models.DateTimeField(default=timezone.now)
    n_episodes = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "instrument_id", "scale"], name="one_etr_model_per_scale"
            )
        ]

    def __str__(self) -> str:
        return f"ETR {self.instrument_id}/{self.scale} for {self.organisation}"
