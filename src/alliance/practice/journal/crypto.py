"""Encryption at rest of journal entries: Fernet (AES-128-CBC with HMAC-SHA256, from
``cryptography``) with ``settings.JOURNAL_KEY``; ``settings.JOURNAL_OLD_KEYS`` still decrypt.

An entry's answers are one JSON object, encrypted as a whole, so the database holds one opaque
token per entry (not even which prompts were answered is readable; the token's length does
give the text's length to within 16 bytes).  Rotation: put a new key in ALLIANCE_JOURNAL_KEY
and the old one in ALLIANCE_JOURNAL_OLD_KEYS; every entry stays readable, entries are
encrypted with the new key when saved, and ``rotate_all`` (``alliance journal rotate-key``)
re-encrypts the rest so the old key can then be dropped.
"""

from __future__ import annotations

import json
from functools import lru_cache

from cryptography.fernet import Fernet, InvalidToken, MultiFernet
from django.conf import settings


class JournalKeyError(ValueError):
    """A stored entry cannot be decrypted with the configured keys."""


@lru_cache(maxsize=4)
def _fernet(key: str, old_keys: tuple[str, ...]) -> MultiFernet:
    return MultiFernet([Fernet(key), *(Fernet(k) for k in old_keys)])


def fernet() -> MultiFernet:
    """The keys in the settings now (read each call, so a changed setting takes effect)."""
    return _fernet(settings.JOURNAL_KEY, tuple(settings.JOURNAL_OLD_KEYS))


def encrypt(answers: dict[str, str]) -> str:
    """The answers as a Fernet token (ASCII text) under the current key."""
    plain = json.dumps(answers, ensure_ascii=False, sort_keys=True).encode("utf-8")
    return fernet().encrypt(plain).decode("ascii")


def decrypt(token: str) -> dict[str, str]:
    """The answers stored in ``token`` (any configured key); ``JournalKeyError`` if none fits."""
    try:
        plain = fernet().decrypt(token.encode("ascii"))
    except (InvalidToken, UnicodeEncodeError):
        raise JournalKeyError(
            "a journal entry cannot be decrypted with ALLIANCE_JOURNAL_KEY or "
            "ALLIANCE_JOURNAL_OLD_KEYS (was the key changed without keeping the old one?)"
        ) from None
    answers = json.loads(plain)
    return {str(k): str(v) for k, v in answers.items()}


def rotate(token: str) -> str:
    """``token`` re-encrypted under the current key (decrypted with any configured key)."""
    try:
        return fernet().rotate(token.encode("ascii")).decode("ascii")
    except (InvalidToken, UnicodeEncodeError):
        raise JournalKeyError(
            "a journal entry cannot be decrypted with ALLIANCE_JOURNAL_KEY or "
            "ALLIANCE_JOURNAL_OLD_KEYS; nothing was re-encrypted"
        ) from None
