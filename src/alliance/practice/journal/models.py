"""A practitioner's private reflection journal: one entry per client and, optionally, session.

Privacy rules (README "Reflection journal"):

* An entry is read only by its author, and by the supervisor it was shared with while that
  person supervises the author; both through the client scope (``access.py``).  Nobody else:
  not clinical leads, administrators, colleagues, or superusers (the model is not registered
  in the Django admin).
* The answers are stored encrypted (``crypto.py``): the ``ciphertext`` column holds a Fernet
  token; only metadata (author, client, session, dates, sharing) is plain.
* Never exported and never shown to the client: no other app imports this module (a test
  checks it), and the relations have no reverse accessors (``related_name="+"``), so
  ``client.<something>`` can never reach an entry by accident.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models

from alliance.practice.care.models import Client, Session
from alliance.practice.journal import crypto


class JournalEntry(models.Model):
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+")
    session = models.ForeignKey(
        Session, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ciphertext = models.TextField(help_text="The answers, Fernet-encrypted (crypto.py).")
    shared_with = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        help_text="The author's supervisor, when the author shared this entry.",
    )
    shared_at = models.DateTimeField(null=True, blank=True)
    created = models.DateTimeField(auto_now_add=True)
    updated = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created", "-pk"]
        indexes = [
            models.Index(fields=["client", "author"], name="journal_by_author"),
            models.Index(fields=["shared_with", "client"], name="journal_shared"),
        ]

    def __str__(self) -> str:  # no content: the entry is private
        return f"journal entry {self.pk}"

    @property
    def answers(self) -> dict[str, str]:
        """The decrypted answers (prompt key -> text), read once per object."""
        cached: dict[str, str] | None = getattr(self, "_answers", None)
        if cached is None:
            cached = crypto.decrypt(self.ciphertext) if self.ciphertext else {}
            self._answers = cached
        return cached

    def set_answers(self, answers: dict[str, str]) -> None:
        kept = {k: v for k, v in answers.items() if v}
        self.ciphertext = crypto.encrypt(kept)
        self._answers = kept

    @property
    def is_shared(self) -> bool:
        return self.shared_with_id is not None
