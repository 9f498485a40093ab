"""Research projects, the organisation's pseudonymisation key, and a log of exports.

Pseudonyms.  A project's export replaces every client by ``pid = pseudonym(key, project
name, client id)`` and every practitioner by ``pseudonym(key, "<project name>:practitioner",
user id)`` (``alliance.research.deidentify``: a truncated HMAC-SHA256, RFC 2104).  ``key`` is
the organisation's ``ResearchKey``: 32 random bytes from ``secrets.token_bytes``, created on
first use and stored only in this table (never shown, logged or exported).  Without the key a
pid cannot be computed from a client, nor traced back to one, nor linked across projects;
with it (anyone who can read this database) the practice can re-identify its own clients.
Deleting the key makes every pseudonym issued so far unlinkable for good, and the next export
gets new pids.
"""

from __future__ import annotations

import re
import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction

from alliance.measures import instrument_ids
from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import ResearchConsent

KEY_BYTES = 32
NAME_PATTERN = re.compile(r"^[a-z0-9]+(?:-[a-z0-9]+)*$")
CONSENTED_SCOPES = (ResearchConsent.DEIDENTIFIED, ResearchConsent.PROCESS_STUDIES)


class ResearchKey(models.Model):
    """The organisation's secret for keyed pseudonyms (see the module docstring)."""

    organisation = models.OneToOneField(
        Organisation, on_delete=models.CASCADE, related_name="research_key"
    )
    key = models.BinaryField(editable=False)
    created = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:  # never the key itself
        return f"research key of {self.organisation}"


def organisation_key(organisation: Organisation) -> bytes:
    """The organisation's 32-byte pseudonymisation key, created on first use."""
    row = ResearchKey.objects.filter(organisation=organisation).first()
    if row is None:
        try:
            with transaction.atomic():
                row = ResearchKey.objects.create(
                    organisation=organisation, key=secrets.token_bytes(KEY_BYTES)
                )
        except IntegrityError:  # created by a concurrent request meanwhile
            row = ResearchKey.objects.get(organisation=organisation)
    return bytes(row.key)


def check_instruments(value: object) -> list[str]:
    """A non-empty list of distinct instrument ids of the registry (``alliance.measures``)."""
    known = instrument_ids()
    if not isinstance(value, list) or not value:
        raise ValidationError(f"instruments: expected a list of instrument ids from {known}")
    unknown = [v for v in value if v not in known]
    if unknown:
        raise ValidationError(f"instruments: unknown {unknown}; expected ids from {known}")
    if len(set(value)) != len(value):
        raise ValidationError("instruments: an instrument is listed twice")
    return [str(v) for v in value]


class ResearchProject(models.Model):
    """A research project of an organisation: which instruments, over which period.

    It includes the clients whose research consent is recorded (scope de-identified or
    process studies, dated on or before the export), and of them the responses to the
    project's instruments whose session date (or answering date, for a response without a
    session) lies in the period; an empty start or end leaves that side open.
    """

    organisation = models.ForeignKey(
        Organisation, on_delete=models.CASCADE, related_name="research_projects"
    )
    name = models.CharField(
        max_length=60,
        help_text="Short name used on the command line, e.g. alliance-outcome: lower-case "
        "letters and digits separated by single hyphens. Part of the pseudonyms: fixed "
        "once the project exists.",
    )
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    instruments = models.JSONField(default=list, validators=[check_instruments])
    period_start = models.DateField(null=True, blank=True)
    period_end = models.DateField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(
                fields=["organisation", "name"],
                name="research_project_name_per_org",
                violation_error_message="a project of this name exists in the organisation; "
                "choose another name",
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        if not NAME_PATTERN.match(self.name or ""):
            raise ValidationError(
                {
                    "name": f"{self.name!r}: expected lower-case letters and digits separated "
                    "by single hyphens, e.g. alliance-outcome"
                }
            )
        if self.period_start and self.period_end and self.period_end < self.period_start:
            raise ValidationError({"period_end": "expected a date on or after the start"})


class ProjectExport(models.Model):
    """Who exported a project's data, when, in which format and how much (an audit trail)."""

    class Via(models.TextChoices):
        WEB = "web", "Web download"
        CLI = "cli", "Command line"

    project = models.ForeignKey(ResearchProject, on_delete=models.CASCADE, related_name="exports")
    exported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    via = models.CharField(max_length=10, choices=Via.choices)
    format = models.CharField(max_length=10)
    clients = models.PositiveIntegerField()
    responses = models.PositiveIntegerField()
    created = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created"]
