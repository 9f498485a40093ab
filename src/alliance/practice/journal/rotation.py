"""Key rotation: re-encrypt every journal entry under the current key (``JOURNAL_KEY``).

Run after moving the old key to ``ALLIANCE_JOURNAL_OLD_KEYS`` and setting a new
``ALLIANCE_JOURNAL_KEY``; once it has run, the old key can be removed.  The entries'
"edited" times are left as they were: re-encryption is not an edit.
"""

from __future__ import annotations

from django.db import transaction

from alliance.practice.journal import crypto
from alliance.practice.journal.models import JournalEntry

BATCH = 500


def rotate_all() -> int:
    """Re-encrypt every entry in one transaction; returns how many.  If one entry cannot be
    decrypted with the configured keys, nothing is changed (``crypto.JournalKeyError``)."""
    done = 0
    with transaction.atomic():
        batch: list[JournalEntry] = []
        for entry in JournalEntry.objects.only("pk", "ciphertext").order_by("pk").iterator(BATCH):
            entry.ciphertext = crypto.rotate(entry.ciphertext)
            batch.append(entry)
            if len(batch) == BATCH:
                JournalEntry.objects.bulk_update(batch, ["ciphertext"])
                done += len(batch)
                batch = []
        if batch:
            JournalEntry.objects.bulk_update(batch, ["ciphertext"])
            done += len(batch)
    return done
