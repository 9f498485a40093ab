"""The journal's encryption keys, read by ``settings.py`` (so this module imports no Django).

ALLIANCE_JOURNAL_KEY       the Fernet key new entries are encrypted with (32 url-safe
                           base64-encoded bytes; how to make one is below)
ALLIANCE_JOURNAL_OLD_KEYS  comma-separated earlier keys, still accepted for reading (rotation)

When ``ALLIANCE_JOURNAL_KEY`` is unset, the key is read from ``<ALLIANCE_DATA_DIR>/journal.key``,
which is generated (permissions 0600) on the first start when generating secrets is allowed,
as for ``SECRET_KEY``.  A malformed key stops the start with a message naming the variable or
file; a key is never echoed.  Make a key with::

    python -c "from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())"
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from pathlib import Path

from cryptography.fernet import Fernet

from alliance.practice.env import SettingError, env_list, env_str

KEY_ENV = "ALLIANCE_JOURNAL_KEY"
OLD_KEYS_ENV = "ALLIANCE_JOURNAL_OLD_KEYS"
KEY_FILE_NAME = "journal.key"
HOW_TO_MAKE_ONE = (
    "expected a Fernet key (32 url-safe base64-encoded bytes), e.g. from "
    "python -c 'from cryptography.fernet import Fernet; print(Fernet.generate_key().decode())'"
)


def checked_key(value: str, where: str) -> str:
    """``value`` if it is a Fernet key; otherwise a ``SettingError`` naming ``where``."""
    key = value.strip()
    try:
        Fernet(key)
    except ValueError:
        raise SettingError(f"{where}: {HOW_TO_MAKE_ONE}") from None
    return key


def journal_keys(data_dir: Path, *, generate: bool) -> tuple[str, tuple[str, ...]]:
    """(current key, older keys) from the environment, or the data folder's key file."""
    old = tuple(
        checked_key(value, f"{OLD_KEYS_ENV} (key {n})")
        for n, value in enumerate(env_list(OLD_KEYS_ENV, []), start=1)
    )
    value = env_str(KEY_ENV)
    if value is not None:
        return checked_key(value, KEY_ENV), old
    return key_from_file(data_dir / KEY_FILE_NAME, generate=generate), old


def key_from_file(path: Path, *, generate: bool) -> str:
    """The key in ``path``; when there is none and ``generate`` is on, a new key written
    there with permissions 0600.  Two processes starting together agree on one key: the file
    appears whole (written aside, then hard-linked into place) and the first one wins."""
    if path.exists():
        return checked_key(path.read_text(), str(path))
    if not generate:
        raise SettingError(
            f"{KEY_ENV} is not set, {path} does not exist and ALLIANCE_GENERATE_SECRET is off"
        )
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, aside = tempfile.mkstemp(dir=path.parent, prefix=".journal-key-")  # mode 0600
    try:
        with os.fdopen(fd, "w") as handle:
            handle.write(Fernet.generate_key().decode() + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another process won: use its key
            os.link(aside, path)
    finally:
        os.unlink(aside)
    return checked_key(path.read_text(), str(path))
