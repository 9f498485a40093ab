"""The ending phase: relapse-prevention plans (with their client links and history of changes)
and follow-up invitations scheduled after the last session."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone

from alliance.practice.care.models import Episode
from alliance.practice.collect.models import Invitation, SecretLink
from alliance.practice.ending.sections import REQUIRED_SECTIONS, SECTION_IDS

PLAN_LINK_DAYS = 180  # the client keeps updating their copy for months after the ending


class RelapsePlan(models.Model):
    """One worksheet per episode: for each section (``sections.SECTION_IDS``) a list of short
    entries in the client's words, stored as ``{section id: [entry, ...]}``."""

    episode = models.OneToOneField(Episode, on_delete=models.CASCADE, related_name="relapse_plan")
    entries = models.JSONField(default=dict)
    revision = models.PositiveIntegerField(
        default=0,
        help_text="Raised by every saved change; a form posted for an older revision "
        "is refused (409) instead of overwriting the other side's changes.",
    )
    created = models.DateTimeField(default=timezone.now)
    updated = models.DateTimeField(default=timezone.now)
    completed_at = models.DateTimeField(
        null=True, blank=True, help_text="Since when every required section has an entry."
    )
    reviewed_at = models.DateTimeField(
        null=True, blank=True, help_text="When the practitioner last saw the client's changes."
    )

    def __str__(self) -> str:
        return f"relapse-prevention plan of {self.episode}"

    def section(self, section_id: str) -> list[str]:
        return list(self.entries.get(section_id, []))

    @property
    def filled_sections(self) -> int:
        return sum(bool(self.entries.get(s)) for s in SECTION_IDS)

    @property
    def missing_required(self) -> list[str]:
        return [s for s in REQUIRED_SECTIONS if not self.entries.get(s)]

    @property
    def is_complete(self) -> bool:
        return not self.missing_required


class PlanLink(SecretLink):
    """The client's link to their copy of the plan; only the SHA-256 of the token is kept and
    a plan has at most one link (a new one replaces the old)."""

    plan = models.ForeignKey(RelapsePlan, on_delete=models.CASCADE, related_name="links")

    @classmethod
    def issue(cls, plan: RelapsePlan, created_by: object = None) -> tuple[PlanLink, str]:
        """A new link for the plan (older links stop working); the token is shown once."""
        cls.objects.filter(plan=plan).delete()
        return cls.create_with_token(days=PLAN_LINK_DAYS, plan=plan, created_by=created_by)


class PlanChange(models.Model):
    """One section changed once: by whom (a staff member, or the client through their link),
    when, and the section's entries before and after."""

    plan = models.ForeignKey(RelapsePlan, on_delete=models.CASCADE, related_name="changes")
    section = models.CharField(max_length=40)
    by_client = models.BooleanField(default=False)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    at = models.DateTimeField(default=timezone.now)
    before = models.JSONField(default=list)
    after = models.JSONField(default=list)

    class Meta:
        ordering = ["-at", "-pk"]
        indexes = [models.Index(fields=["plan", "by_client", "-at"], name="plan_change_recent")]

    @property
    def added(self) -> list[str]:
        return _minus(self.after, self.before)

    @property
    def removed(self) -> list[str]:
        return _minus(self.before, self.after)


def _minus(a: list[str], b: list[str]) -> list[str]:
    """Entries of ``a`` not matched in ``b`` (a multiset difference, order of ``a`` kept)."""
    rest = list(b)
    out = []
    for entry in a:
        if entry in rest:
            rest.remove(entry)
        else:
            out.append(entry)
    return out


class FollowUp(models.Model):
    """A follow-up invitation (the outcome measure) ``months`` after the last session.

    The invitation is an ordinary ``collect.Invitation`` whose ``send_after`` is the follow-up
    day; the outbox emails it then.  This row only marks it as a follow-up."""

    episode = models.ForeignKey(Episode, on_delete=models.CASCADE, related_name="follow_ups")
    invitation = models.OneToOneField(
        Invitation, on_delete=models.CASCADE, related_name="follow_up"
    )
    instrument_id = models.CharField(max_length=40)
    months = models.PositiveSmallIntegerField()
    due = models.DateField(help_text="The last session's date plus ``months`` calendar months.")
    created = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )

    class Meta:
        ordering = ["months", "instrument_id"]
        constraints = [
            models.UniqueConstraint(
                fields=["episode", "months", "instrument_id"], name="one_follow_up_per_month"
            )
        ]

    def __str__(self) -> str:
        return f"follow-up at {self.months} month(s) ({self.instrument_id}, {self.due})"
