"""The web app's `alliance` subcommands: demo, serve, migrate, createuser, invite, feedback."""

from __future__ import annotations

import argparse
import getpass
import os
import sys
import webbrowser
from pathlib import Path
from typing import Any

DEFAULT_DEMO_DIR = Path("data") / "demo"
# Apps with `alliance` subcommands (see below).
APPS_WITH_COMMANDS: tuple[str, ...] = ("journal", "outbox", "studies")


class CommandError(ValueError):
    """A bad argument to a web command (exit status 2)."""


def setup_django(data_dir: str | Path | None) -> None:
    if data_dir is not None:
        os.environ["ALLIANCE_DATA_DIR"] = str(Path(data_dir).resolve())
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "alliance.practice.settings")
    import django

    django.setup()


def migrate(verbosity: int = 0) -> None:
    from django.conf import settings
    from django.core.management import call_command

    Path(settings.DATA_DIR).mkdir(parents=True, exist_ok=True)
    call_command("migrate", interactive=False, verbosity=verbosity)


def run_server(host: str, port: int, workers: int, threads: int) -> None:
    from gunicorn.app.base import BaseApplication

    from alliance.practice.wsgi import application

    class Server(BaseApplication):  # type: ignore[misc]
        def load_config(self) -> None:
            self.cfg.set("bind", f"{host}:{port}")
            self.cfg.set("workers", workers)
            self.cfg.set("threads", threads)
            self.cfg.set("accesslog", None)  # URLs carry invitation tokens: never log them
            self.cfg.set("errorlog", "-")
            self.cfg.set("graceful_timeout", 5)

        def load(self) -> Any:
            return application

    Server().run()


def cmd_demo(args: argparse.Namespace) -> None:
    setup_django(args.data_dir or DEFAULT_DEMO_DIR)
    migrate()
    from alliance.practice.demo import seed_demo

    org = seed_demo()
    refresh_feedback(quiet=True)  # expected trajectories and alerts for the demo
    url = f"http://127.0.0.1:{args.port}/"
    print(f"Alliance demo ({org.name}) at {url}")
    print("Log in with username demo, password demo (clinical lead: sees every demo client).")
    print("Therapists alex and sam and coach jo also have the password demo;")
    print("researcher riley sees the research area only.")
    print(f"The practice's public page: {url}p/{org.slug}/")
    sys.stdout.flush()
    if not args.no_browser:
        webbrowser.open(url)
    run_server("127.0.0.1", args.port, workers=1, threads=8)


def cmd_serve(args: argparse.Namespace) -> None:
    setup_django(args.data_dir)
    run_server(args.host, args.port, workers=args.workers, threads=args.threads)


def cmd_migrate(args: argparse.Namespace) -> None:
    setup_django(args.data_dir)
    migrate(verbosity=1)


def cmd_createuser(args: argparse.Namespace) -> None:
    setup_django(args.data_dir)
    from django.contrib.auth import get_user_model
    from django.db import transaction
    from django.utils.text import slugify

    from alliance.practice.accounts.models import Membership, Organisation

    if args.role not in Membership.Role.values:
        raise CommandError(f"--role {args.role!r}: expected one of {Membership.Role.values}")
    password = os.environ.get(args.password_env) if args.password_env else None
    if password is None:
        if not sys.stdin.isatty():
            raise CommandError("no password: set --password-env VAR or run on a terminal")
        password = getpass.getpass(f"Password for {args.username}: ")
    user_model = get_user_model()
    if user_model.objects.filter(username=args.username).exists():
        raise CommandError(f"user {args.username!r} already exists")
    with transaction.atomic():
        org, _ = Organisation.objects.get_or_create(
            slug=slugify(args.organisation), defaults={"name": args.organisation}
        )
        user = user_model.objects.create_user(username=args.username, password=password)
        if args.superuser:
            user.is_staff = user.is_superuser = True
            user.save()
        Membership.objects.create(user=user, organisation=org, role=args.role)
    print(f"created {args.username} ({args.role}) in {org.name}")


def cmd_invite(args: argparse.Namespace) -> None:
    setup_django(args.data_dir)
    from django.urls import reverse

    from alliance.measures import get_instrument
    from alliance.practice.care.models import Client
    from alliance.practice.collect.models import Invitation

    inst = get_instrument(args.instrument)
    clients = Client.objects.filter(code=args.client)
    if args.organisation:
        clients = clients.filter(organisation__slug=args.organisation)
    found = list(clients[:2])
    if not found:
        raise CommandError(f"--client {args.client!r}: no client with this code")
    if len(found) > 1:
        raise CommandError(f"--client {args.client!r}: several organisations; add --organisation")
    client = found[0]
    caregiver = None
    if args.respondent == "caregiver":
        caregiver = client.caregivers.first()
        if caregiver is None:
            raise CommandError(f"client {args.client}: has no caregiver")
    try:
        _, token = Invitation.issue_for(
            client, instrument_id=inst.id, respondent=args.respondent, caregiver=caregiver
        )
    except ValueError as exc:
        raise CommandError(str(exc)) from None
    print(args.base_url.rstrip("/") + reverse("collect:form", args=[token]))


def refresh_feedback(quiet: bool = False) -> None:
    """Refit every organisation's expected-trajectory models and recompute all alerts."""
    import time

    from alliance.practice.dashboard.feedback import MIN_REFERENCE_EPISODES, refresh_all

    started = time.perf_counter()
    report = refresh_all(progress=None if quiet else print)
    fitted = sum(f.fitted for f in report.fits)
    done = report.alerts
    message = (
        f"feedback refreshed in {time.perf_counter() - started:.1f} s: {fitted} expected-"
        f"trajectory models fitted (at least {MIN_REFERENCE_EPISODES} finished episodes "
        f"each); {done.alerts} alerts for {done.clients} clients ({done.new} new, "
        f"{done.updated} updated)"
    )
    print(message)


def cmd_feedback_refresh(args: argparse.Namespace) -> None:
    setup_django(args.data_dir)
    refresh_feedback()


def add_web_commands(commands: Any) -> None:
    p = commands.add_parser("demo", help="serve a seeded demo practice")
    p.add_argument("--data-dir", default=None, help=f"default {DEFAULT_DEMO_DIR}")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--no-browser", action="store_true")
    p.set_defaults(func=cmd_demo)

    p = commands.add_parser("serve", help="serve the web app (gunicorn)")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--workers", type=int, default=2)
    p.add_argument("--threads", type=int, default=4)
    p.set_defaults(func=cmd_serve)

    p = commands.add_parser("migrate", help="create or update the database")
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_migrate)

    p = commands.add_parser("createuser", help="create a staff user in an organisation")
    p.add_argument("username")
    p.add_argument("--organisation", required=True, help="name (created if new)")
    p.add_argument("--role", default="practitioner")
    p.add_argument("--superuser", action="store_true", help="may use the Django admin")
    p.add_argument("--password-env", metavar="VAR", help="read the password from $VAR")
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_createuser)

    p = commands.add_parser("invite", help="print a client-facing link for a new invitation")
    p.add_argument("--data-dir", default=None)
    p.add_argument("--client", required=True, metavar="CODE")
    p.add_argument("--organisation", metavar="SLUG")
    p.add_argument("--instrument", required=True, metavar="ID")
    p.add_argument("--respondent", choices=["client", "caregiver"], default="client")
    p.add_argument("--base-url", default="http://127.0.0.1:8000")
    p.set_defaults(func=cmd_invite)

    feedback = commands.add_parser("feedback", help="practice-wide feedback (web app database)")
    feedback_cmds = feedback.add_subparsers(dest="feedback_command", required=True)
    p = feedback_cmds.add_parser(
        "refresh",
        help="refit expected trajectories on finished episodes, recompute every client's alerts",
    )
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_feedback_refresh)

    # Apps with their own commands (e.g. studies: export; outbox: sending) expose
    # ``register(commands)`` in ``alliance.practice.<app>.cli``; those modules import Django
    # only inside their command functions, so `alliance --help` stays fast.
    import importlib

    for app in APPS_WITH_COMMANDS:
        module = importlib.import_module(f"alliance.practice.{app}.cli")
        module.register(commands)
