"""Organisations (a practice, clinic or coaching practice) and their members' roles."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Organisation(models.Model):
    class Kind(models.TextChoices):
        PRACTICE = "practice", "Private practice"
        CLINIC = "clinic", "Clinic"
        COACHING = "coaching", "Coaching practice"

    name = models.CharField(max_length=200)
    slug = models.SlugField(unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices, default=Kind.PRACTICE)
    is_demo = models.BooleanField(default=False)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.name


class Membership(models.Model):
    """A user's role in one organisation.

    practitioner: sees the clients they are assigned to.
    supervisor: also sees the clients of the practitioners they supervise.
    lead: the practice's clinical lead; sees every client of the organisation.
    administrator: manages members (Django admin); no clinical views.
    researcher: de-identified data only (research workbench); no clinical views.
    """

    class Role(models.TextChoices):
        PRACTITIONER = "practitioner", "Practitioner"
        SUPERVISOR = "supervisor", "Supervisor"
        LEAD = "lead", "Clinical lead"
        ADMINISTRATOR = "administrator", "Administrator"
        RESEARCHER = "researcher", "Researcher"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="memberships"
    )
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.PRACTITIONER)
    supervisor = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="supervisees",
        help_text="The supervisor who sees this practitioner's clients.",
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "organisation"], name="one_membership_per_org")
        ]

    def __str__(self) -> str:
        return f"{self.user} ({self.get_role_display()}, {self.organisation})"
