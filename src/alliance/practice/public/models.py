"""A practice's public page (introduction, practitioner profiles, services), the requests for a
first conversation sent through it, and the rate-limit hits that protect its form.

Nothing from an ``IntakeRequest`` is ever rendered on a public URL: requests are read only by
the practice's staff (see ``access.visible_requests``).
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.practice.accounts.models import Organisation


class PracticePage(models.Model):
    """The practice part of the page, edited by the organisation's clinical leads."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="public_page"
    )
    introduction = models.TextField(
        blank=True, max_length=4000, help_text="A few sentences about the practice."
    )
    notify_email = models.EmailField(
        blank=True,
        help_text="Where new requests are announced. Empty: the clinical leads' addresses.",
    )
    is_published = models.BooleanField(default=False)
    updated = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"public page of {self.organisation}"


class PractitionerProfile(models.Model):
    """One practitioner's public profile, edited by that practitioner only."""

    page = models.ForeignKey(PracticePage, on_delete=models.CASCADE, related_name="profiles")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="public_profiles"
    )
    display_name = models.CharField(max_length=120)
    photo = models.ImageField(upload_to="practitioners/", blank=True)
    bio = models.TextField(blank=True, max_length=3000)
    qualifications = models.TextField(blank=True, max_length=1500)
    approach = models.TextField(blank=True, max_length=3000)
    is_published = models.BooleanField(
        default=False, help_text="Show this profile on the practice's public page."
    )
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["display_name"]
        constraints = [
            models.UniqueConstraint(fields=["page", "user"], name="one_profile_per_page")
        ]

    def __str__(self) -> str:
        return self.display_name

    @property
    def initials(self) -> str:
        parts = [p for p in self.display_name.replace("(", " ").split() if p[:1].isalpha()]
        return "".join(p[0] for p in parts[:2]).upper() or "?"


class Service(models.Model):
    class Kind(models.TextChoices):
        THERAPY = "therapy", "Therapy"
        COACHING = "coaching", "Coaching"

    class Modality(models.TextChoices):
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"
        BOTH = "both", "In person or online"

    page = models.ForeignKey(PracticePage, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(max_length=120)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.THERAPY)
    modality = models.CharField(max_length=20, choices=Modality.choices, default=Modality.BOTH)
    description = models.TextField(blank=True, max_length=1500)
    duration = models.CharField(max_length=80, blank=True, help_text="e.g. 50 minutes")
    price = models.CharField(max_length=80, blank=True, help_text="e.g. £70 per session")
    position = models.PositiveSmallIntegerField(default=0, help_text="Order on the page.")

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name


class IntakeRequest(models.Model):
    """A request for a first conversation: pending until someone in the practice handles it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        CONTACTED = "contacted", "Contacted"
        ACCEPTED = "accepted", "Accepted"
        DECLINED = "declined", "Declined"

    class Modality(models.TextChoices):
        NO_PREFERENCE = "any", "No preference"
        IN_PERSON = "in_person", "In person"
        ONLINE = "online", "Online"

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="intake_requests"
    )
    addressed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="intake_requests",
        help_text="The practitioner asked for; empty means anyone in the practice.",
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    service = models.ForeignKey(Service, null=True, blank=True, on_delete=models.SET_NULL)
    service_name = models.CharField(
        max_length=120, blank=True, help_text="The service's name when the request was sent."
    )
    modality = models.CharField(
        max_length=20, choices=Modality.choices, default=Modality.NO_PREFERENCE
    )
    message = models.TextField(blank=True, max_length=1000)
    consent_to_contact = models.BooleanField(default=False)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    status_changed = models.DateTimeField(null=True, blank=True)
    status_changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    client = models.ForeignKey(
        "care.Client",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The client record created from this request.",
    )
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
        indexes = [models.Index(fields=["organisation", "status"], name="intake_org_status")]

    def __str__(self) -> str:
        return f"request {self.pk} ({self.get_status_display()})"


class RateLimitHit(models.Model):
    """One post to a public form: a keyed hash of the sender's IP (HMAC-SHA256 with the
    SECRET_KEY, never the address itself) and the time.  Rows older than the window are
    deleted as new posts arrive."""

    key = models.CharField(max_length=64)
    created = models.DateTimeField(db_index=True)

    class Meta:
        indexes = [models.Index(fields=["key", "created"], name="ratelimit_key_created")]
