"""Clients, their caregivers, episodes of care, sessions and measure plans."""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.practice.accounts.models import Organisation


class Respondent(models.TextChoices):
    CLIENT = "client", "Client"
    CAREGIVER = "caregiver", "Caregiver"
    PRACTITIONER = "practitioner", "Practitioner"


class Modality(models.TextChoices):
    IN_PERSON = "in_person", "In person"
    VIDEO = "video", "Video"
    PHONE = "phone", "Phone"
    TEXT = "text", "Text"


class ResearchConsent(models.TextChoices):
    NONE = "none", "No research use"
    DEIDENTIFIED = "deidentified", "De-identified data in the practice's research projects"
    PROCESS_STUDIES = (
        "process_studies",
        "De-identified data, and recorded sessions with interviews in process studies",
    )


class Client(models.Model):
    """A client, known by a pseudonymous code; everything else is optional."""

    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="clients")
    code = models.CharField(max_length=32, help_text="Pseudonymous code, unique in the practice.")
    name = models.CharField(max_length=200, blank=True)
    date_of_birth = models.DateField(null=True, blank=True)
    preferred_language = models.CharField(max_length=16, default="en")
    pronouns = models.CharField(max_length=40, blank=True)
    cultural_background = models.TextField(blank=True)
    preferences = models.TextField(blank=True, help_text="Free text the client may edit.")
    contact_email = models.EmailField(blank=True)
    contact_phone = models.CharField(max_length=40, blank=True)
    practitioners = models.ManyToManyField(
        settings.AUTH_USER_MODEL, through="Assignment", related_name="clients"
    )
    is_active = models.BooleanField(default=True)
    research_consent_scope = models.CharField(
        max_length=20, choices=ResearchConsent.choices, default=ResearchConsent.NONE
    )
    research_consent_date = models.DateField(
        null=True, blank=True, help_text="When the client gave (or last changed) research consent."
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["organisation", "code"], name="client_code_per_org")
        ]
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class Assignment(models.Model):
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="assignments")
    practitioner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="assignments"
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["client", "practitioner"], name="one_assignment")
        ]


class Caregiver(models.Model):
    """A parent or carer of a (child) client, answering as a separate respondent."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="caregivers")
    name = models.CharField(max_length=200, blank=True)
    relationship = models.CharField(max_length=60, blank=True)
    preferred_language = models.CharField(max_length=16, default="en")
    contact_email = models.EmailField(blank=True)

    def __str__(self) -> str:
        return self.name or self.relationship or f"caregiver of {self.client}"


class Episode(models.Model):
    class Kind(models.TextChoices):
        THERAPY = "therapy", "Therapy"
        COACHING = "coaching", "Coaching"

    class Phase(models.TextChoices):
        ENGAGEMENT = "engagement", "Engagement and contract"
        WORKING = "working", "Working"
        ENDING = "ending", "Ending"

    class EndingReason(models.TextChoices):
        PLANNED = "planned", "Planned ending"
        DROPPED_OUT = "dropped_out", "Client dropped out"
        REFERRED_ON = "referred_on", "Referred on"

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="episodes")
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.THERAPY)
    phase = models.CharField(max_length=20, choices=Phase.choices, default=Phase.ENGAGEMENT)
    started = models.DateField()
    ended = models.DateField(null=True, blank=True)
    ending_reason = models.CharField(max_length=20, choices=EndingReason.choices, blank=True)
    show_progress_to_client = models.BooleanField(
        default=True, help_text="Show the client their own outcome chart after they answer."
    )
    show_alliance_to_client = models.BooleanField(
        default=False, help_text="Alliance scores are hidden from clients unless this is on."
    )

    class Meta:
        ordering = ["-started"]

    def __str__(self) -> str:
        return f"{self.client} {self.get_kind_display()} from {self.started}"


class Session(models.Model):
    class Status(models.TextChoices):
        PLANNED = "planned", "Planned"
        ATTENDED = "attended", "Attended"
        CANCELLED = "cancelled", "Cancelled"
        DID_NOT_ATTEND = "dna", "Did not attend"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="sessions")
    number = models.PositiveIntegerField()
    date = models.DateField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.ATTENDED)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.IN_PERSON)
    note = models.TextField(blank=True)

    class Meta:
        ordering = ["number"]
        constraints = [
            models.UniqueConstraint(fields=["episode", "number"], name="session_number_per_episode")
        ]
        indexes = [models.Index(fields=["episode", "status", "-date"], name="session_recent")]

    def __str__(self) -> str:
        return f"session {self.number} ({self.date})"


class MeasurePlanEntry(models.Model):
    """Which instrument, answered by whom, when and whether before or after the session."""

    class Schedule(models.TextChoices):
        EVERY_SESSION = "every", "Every session"
        FIRST_AND_EVERY_N = "first_and_every_n", "First session and every Nth"
        ENDING_ONLY = "ending", "Ending only"

    class Timing(models.TextChoices):
        BEFORE = "before", "Before the session"
        AFTER = "after", "After the session"

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="plan")
    instrument_id = models.CharField(max_length=40)
    respondent = models.CharField(max_length=20, choices=Respondent.choices)
    schedule = models.CharField(
        max_length=30, choices=Schedule.choices, default=Schedule.EVERY_SESSION
    )
    every_n = models.PositiveSmallIntegerField(default=1)
    timing = models.CharField(max_length=10, choices=Timing.choices, default=Timing.BEFORE)

    def is_due(self, session_number: int, ending: bool = False) -> bool:
        if self.schedule == self.Schedule.ENDING_ONLY:
            return ending
        if self.schedule == self.Schedule.FIRST_AND_EVERY_N:
            return session_number == 1 or session_number % max(self.every_n, 1) == 0
        return True
