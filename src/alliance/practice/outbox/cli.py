"""`alliance outbox send` (one pass, for cron) and `alliance outbox work` (a worker loop).

Django 6's tasks framework (``django.tasks``) ships only immediate and dummy backends; a
database-backed worker would need the separate django-tasks package.  The outbox therefore
runs as a command: cron calls ``alliance outbox send`` every minute, or a process manager
keeps ``alliance outbox work`` running.  Django is imported inside the commands only.
"""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType
from typing import Any

from alliance.practice import commands as web
from alliance.practice.commands import CommandError


def cmd_send(args: argparse.Namespace) -> None:
    web.setup_django(args.data_dir)
    from alliance.practice.outbox.sender import run_pass

    print(run_pass().line())


def cmd_work(args: argparse.Namespace) -> None:
    if not args.interval > 0:  # also refuses nan
        raise CommandError(f"--interval {args.interval:g}: expected a number of seconds > 0")
    if args.passes is not None and args.passes < 1:
        raise CommandError(f"--passes {args.passes}: expected a whole number >= 1")
    web.setup_django(args.data_dir)
    from django.db import close_old_connections, connection

    from alliance.practice.outbox.sender import run_pass

    stop = threading.Event()

    def request_stop(signum: int, frame: FrameType | None) -> None:
        stop.set()

    previous = {sig: signal.signal(sig, request_stop) for sig in (signal.SIGTERM, signal.SIGINT)}
    passes = 0
    print(f"outbox worker: a pass every {args.interval:g} s; stop with Ctrl-C or SIGTERM")
    sys.stdout.flush()
    try:
        while not stop.is_set():
            if not connection.in_atomic_block:  # (tests run inside a transaction)
                close_old_connections()  # a worker must not keep a dead database connection
            try:
                print(run_pass().line())
            except Exception as exc:  # a database hiccup must not end the worker
                print(
                    f"outbox: pass failed ({type(exc).__name__}); next pass in {args.interval:g} s",
                    file=sys.stderr,
                )
            sys.stdout.flush()
            passes += 1
            if args.passes is not None and passes >= args.passes:
                break
            stop.wait(args.interval)
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    print(f"outbox worker: stopped after {passes} pass{'es' if passes != 1 else ''}")


def register(commands: Any) -> None:
    outbox = commands.add_parser("outbox", help="email invitation links and reminders when due")
    outbox_cmds = outbox.add_subparsers(dest="outbox_command", required=True)
    p = outbox_cmds.add_parser(
        "send", help="one pass: send every email that is due, print a summary (cron: every minute)"
    )
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_send)

    p = outbox_cmds.add_parser(
        "work", help="keep sending: a pass every --interval seconds until Ctrl-C or SIGTERM"
    )
    p.add_argument("--data-dir", default=None)
    p.add_argument("--interval", type=float, default=60.0, metavar="SECONDS")
    p.add_argument("--passes", type=int, default=None, help="stop after N passes")
    p.set_defaults(func=cmd_work)
