"""``alliance journal rotate-key``: re-encrypt journal entries under the current key.

Registered when "journal" is in ``alliance.practice.commands.APPS_WITH_COMMANDS``.
"""

from __future__ import annotations

import argparse
from typing import Any


def cmd_rotate_key(args: argparse.Namespace) -> None:
    from alliance.practice.commands import CommandError, setup_django

    setup_django(args.data_dir)
    from alliance.practice.journal.crypto import JournalKeyError
    from alliance.practice.journal.rotation import rotate_all

    try:
        done = rotate_all()
    except JournalKeyError as exc:
        raise CommandError(str(exc)) from None
    print(f"{done} journal entries re-encrypted with ALLIANCE_JOURNAL_KEY")


def register(commands: Any) -> None:
    journal = commands.add_parser("journal", help="the practitioners' reflection journal")
    journal_cmds = journal.add_subparsers(dest="journal_command", required=True)
    p = journal_cmds.add_parser(
        "rotate-key",
        help="re-encrypt every entry with ALLIANCE_JOURNAL_KEY (old keys in "
        "ALLIANCE_JOURNAL_OLD_KEYS), so the old keys can be dropped",
    )
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_rotate_key)
