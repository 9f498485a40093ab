"""Benchmark: the practice web app at scale: dashboard and client page times, submissions/s.

Usage::

    uv run python bench/web.py [--clients N] [--sessions S] [--database-url URL]
                               [--requests K] [--duration SECONDS] [--concurrency C]
                               [--submissions M] [--server-workers W] [--server-threads T]
                               [--profile] [--keep DIR]

Data (seeded in a fresh temporary data directory, SQLite in WAL mode as ``alliance serve``
uses it by default; with ``--database-url postgres://postgres@127.0.0.1:5432/postgres`` a
throwaway PostgreSQL database ``alliance_bench`` is created on that server, used, and dropped
at the end; only loopback hosts are accepted):

* One organisation with 50 practitioners and a clinical lead.  ``N`` clients (default 10,000)
  with one therapy episode and ``S`` attended weekly sessions each (default 20), ending in the
  last three weeks.  Practitioner ``bench-p00`` has a 500-client caseload (the issue's "fast for
  500 clients"; at most half the clients on small runs); the others share the rest round-robin,
  so at the default size each of them has ~194 clients.  The dashboard is measured for
  ``bench-p00``, because the caseload query's cost grows with the caseload and 500 is the size
  the issue promises.
* Per session a PHQ-9 answered before and a WAI-SR after (``2 * N * S`` responses: 400,000 at
  the default size, with 1,000,000 scale scores).  Answers follow the demo's simple model
  (responders, slow responders, non-responders, deteriorators; an alliance that mostly rises,
  with ruptures for some clients); PHQ-9 item 9 is above 0 in about 1 % of responses, so
  some clients carry the risk flag.  All answers are scored at once with
  ``alliance.measures.score_frame``.  Users, clients, assignments, episodes and plans are
  stored with ``bulk_create``; sessions, responses and scale scores (the 1.6 million rows)
  with ``executemany`` and explicit ids, values converted by each field's ``get_db_prep_save``
  (the same values the ORM writes, several times faster), in one transaction per 500 clients.
  SQLite gets no ``ANALYZE`` (the app as shipped never runs one); PostgreSQL gets a
  ``VACUUM ANALYZE`` after the load, the state autovacuum would soon reach.
* One open PHQ-9 invitation (``Invitation.issue``) for each of ``--submissions`` randomly
  chosen clients (several per client on small runs); these are the links the load test answers.

Measurements, in one run:

(a) Dashboard ``/`` (the default view: active clients, flags first, first page of 100) and
    client page ``/clients/<pk>/`` (50 different clients of ``bench-p00``, each with 40
    responses): server time measured *in-process* with Django's test ``Client`` (the full
    middleware stack, view, queries and template rendering; no network), after three warm-up
    requests, ``--requests`` requests each (default 60); p50 and p95 in milliseconds.  As a
    scaling hint, the dashboard of the clinical lead (sees all ``N`` clients) is timed over 5
    requests (``dashboard_lead_p50_ms``).  These run before the server starts, so nothing
    competes.  In-process, the database connection stays open between requests, whereas the
    server opens one per request on SQLite (``CONN_MAX_AGE`` 0): a fraction of a millisecond.
(b) Then the real server: ``alliance serve`` (gunicorn with its default 2 workers x 4 threads,
    same data directory and database) in a subprocess on a free loopback port.  ``C``
    (default 20) concurrent HTTP/1.1 keep-alive connections, one thread each, POST
    ``/f/<token>/`` with valid PHQ-9 answers and a fresh ``submission_id`` (one invitation per
    submission, so each stores a response and renders the thank-you page with the client's
    progress chart).  Each phase runs ``--duration`` seconds (default 10) or until the
    invitations run out; throughput = successful submissions / wall time of the phase.
(c) Floor: the same server process, same connections, ``GET /healthz/``: the app's trivial
    view (a constant "ok" through the whole middleware stack).  ``submit_ratio`` =
    submissions per second / floor requests per second.

Floor and submissions alternate for two rounds after a warm-up; the best round of each is
reported, which damps noise from other processes on a shared machine.  After the load, the
script checks that every acknowledged submission is stored exactly once
(``submissions_stored_ok``).

Prints one JSON line on stdout (progress goes to stderr).  Targets: ``dashboard_p95_ms`` < 150
and ``submit_ratio`` >= 0.4.  ``--profile`` also writes to stderr a cProfile summary of the
dashboard view and its SQL statements with their times.  ``--keep DIR`` seeds into (or reuses
an already seeded) SQLite data directory ``DIR`` and keeps it, to iterate without reseeding.

All traffic goes to 127.0.0.1; every loop is bounded in count and time; the server is stopped
and the temporary data removed at the end.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import http.client
import io
import json
import os
import pstats
import shutil
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from datetime import time as clock
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
import pandas as pd

ORG_SLUG = "bench-practice"
N_PRACTITIONERS = 50
BIG_CASELOAD = 500
LEAD = "bench-lead"
BIG = "bench-p00"
OUTCOME, ALLIANCE = "phq9", "wai-sr"
CHUNK_CLIENTS = 500
INSERT_BATCH = 5000
SESSION_COLUMNS = ["id", "episode", "number", "date", "status", "modality", "note"]
RESPONSE_COLUMNS = ["id", "client", "episode", "session", "instrument_id", "respondent"]
RESPONSE_COLUMNS += ["submission_id", "answers", "comment", "flags", "missing", "source"]
RESPONSE_COLUMNS += ["submitted_at"]
SCORE_COLUMNS = ["id", "response", "scale_id", "value", "band"]
BENCH_DB = "alliance_bench"
LOOPBACK = {"127.0.0.1", "localhost", "::1"}
SEED = 20260311
FLOOR_PATH = "/healthz/"  # the app's trivial view: the floor
PHQ9_POST = {f"phq9_{n}": str(v) for n, v in enumerate([1, 2, 2, 1, 1, 2, 1, 0, 0], start=1)}
SERVER_START_TIMEOUT = 60.0
LEAD_REQUESTS = 5


def log(message: str) -> None:
    print(f"[bench/web] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- database setup


def postgres_urls(url: str) -> tuple[str, str]:
    """(admin URL, bench URL) for a loopback PostgreSQL server given by ``url``."""
    parts = urllib.parse.urlsplit(url)
    if parts.scheme not in {"postgres", "postgresql"}:
        raise SystemExit(f"--database-url {url!r}: expected a postgres:// URL")
    if parts.hostname not in LOOPBACK:
        raise SystemExit(f"--database-url: host {parts.hostname!r} is not loopback; refusing")
    admin = urllib.parse.urlunsplit(parts._replace(path="/postgres"))
    bench = urllib.parse.urlunsplit(parts._replace(path=f"/{BENCH_DB}"))
    return admin, bench


def postgres_admin(admin_url: str, statement: str) -> None:
    import psycopg

    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(statement)


# --------------------------------------------------------------------------- seeding


@dataclass(frozen=True)
class Generated:
    """Answers for every (client, session), as (clients * sessions, items) int8 matrices."""

    outcome: npt.NDArray[np.int8]
    alliance: npt.NDArray[np.int8]
    start_weeks_ago: npt.NDArray[np.int64]


def generate(n_clients: int, n_sessions: int, rng: np.random.Generator) -> Generated:
    """The demo's trajectory model (see alliance.practice.demo), vectorised over clients."""
    t = np.arange(1, n_sessions + 1, dtype=np.float64)[None, :]
    course = rng.choice(4, size=n_clients, p=[0.45, 0.25, 0.2, 0.1])[:, None]
    s0 = rng.uniform(10, 22, size=n_clients)[:, None]
    severity = np.select(
        [course == 0, course == 1, course == 2],
        [
            s0 * (0.35 + 0.65 * np.exp(-(t - 1) / 3)),
            s0 * (1 - 0.45 * np.minimum(t - 1, 16) / 16),
            np.broadcast_to(s0, (n_clients, n_sessions)),
        ],
        np.minimum(s0 + 0.5 * (t - 1), 27),
    )
    severity = np.clip(severity + rng.normal(0, 1.5, severity.shape), 0, 27)
    phq = np.rint(severity[..., None] / 9 + rng.normal(0, 0.6, (*severity.shape, 9)))
    phq = np.clip(phq, 0, 3)
    risky = rng.random(severity.shape) < 0.01
    phq[..., 8] = np.where(risky, 1 + (rng.random(severity.shape) < 0.3), 0)

    level = np.minimum(rng.uniform(0.78, 0.9, size=n_clients)[:, None] + 0.015 * t, 0.97)
    rupture_at = np.where(rng.random(n_clients) < 0.3, rng.integers(3, 9, size=n_clients), 10**6)[
        :, None
    ]
    repairs = (rng.random(n_clients) < 0.7)[:, None]
    dip = np.where(
        t == rupture_at, 0.3, np.where((t == rupture_at + 1) & repairs, 0.15, 0.0)
    ) + np.where((t > rupture_at + 1) & ~repairs, 0.3, 0.0)
    level = level - dip
    wai = np.rint(1 + 4 * level[..., None] + rng.normal(0, 0.6, (*level.shape, 12)))
    wai = np.clip(wai, 1, 5)
    return Generated(
        outcome=phq.reshape(-1, 9).astype(np.int8),
        alliance=wai.reshape(-1, 12).astype(np.int8),
        start_weeks_ago=n_sessions - 1 + rng.integers(0, 3, size=n_clients),
    )


@dataclass(frozen=True)
class Scored:
    answers: list[dict[str, int]]
    scores: dict[str, npt.NDArray[np.float64]]
    bands: dict[str, list[str]]
    flags: list[list[str]]


def score_all(instrument_id: str, matrix: npt.NDArray[np.int8]) -> Scored:
    from alliance.measures import get_instrument, score_frame

    inst = get_instrument(instrument_id)
    frame = pd.DataFrame(matrix, columns=list(inst.item_ids))
    out = score_frame(inst, frame)
    scores = {s.id: out[s.id].to_numpy(dtype=np.float64) for s in inst.scales}
    bands = {
        s.id: [b if isinstance(b, str) else "" for b in out[f"{s.id}_band"]]
        for s in inst.scales
        if s.bands
    }
    flag_columns = [(f.id, out[f"flag_{f.id}"].to_numpy(dtype=bool)) for f in inst.flags]
    flags = [[fid for fid, column in flag_columns if column[row]] for row in range(len(matrix))]
    answers = [dict(zip(inst.item_ids, row, strict=True)) for row in matrix.tolist()]
    return Scored(answers=answers, scores=scores, bands=bands, flags=flags)


def caseload_owner(n_clients: int) -> npt.NDArray[np.int64]:
    """Practitioner index per client: the first ``big`` clients belong to practitioner 0."""
    big = min(BIG_CASELOAD, n_clients // 2)
    owner = np.empty(n_clients, dtype=np.int64)
    owner[:big] = 0
    owner[big:] = 1 + np.arange(n_clients - big) % (N_PRACTITIONERS - 1)
    return owner


def insert_rows(model: Any, columns: list[str], rows: list[tuple[Any, ...]]) -> None:
    """INSERT ``rows`` with ``executemany``, converting values as the ORM would on save.

    Seeding 1.6 million rows through ``bulk_create`` spends most of its time building model
    instances and SQL in Python.  Here dates, times, UUIDs and JSON go through their field's
    ``get_db_prep_save`` (so the stored values are exactly what the ORM writes, on SQLite and
    PostgreSQL alike); integers, floats and strings are sent as they are.
    """
    from django.db import connections, models

    connection = connections["default"]
    fields = [model._meta.get_field(name) for name in columns]
    quote = connection.ops.quote_name
    names = ", ".join(quote(f.column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    sql = f"INSERT INTO {quote(model._meta.db_table)} ({names}) VALUES ({marks})"
    convert = [
        (k, f.get_db_prep_save)
        for k, f in enumerate(fields)
        if isinstance(f, models.DateField | models.UUIDField | models.JSONField)
    ]
    with connection.cursor() as cursor:
        for first in range(0, len(rows), INSERT_BATCH):
            batch = [list(row) for row in rows[first : first + INSERT_BATCH]]
            for values in batch:
                for k, prepare in convert:
                    values[k] = prepare(values[k], connection)
            cursor.executemany(sql, batch)


def next_id(model: Any) -> int:
    from django.db.models import Max

    return int(model.objects.aggregate(top=Max("pk"))["top"] or 0) + 1


def seed(n_clients: int, n_sessions: int) -> None:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.hashers import make_password
    from django.core.management.color import no_style
    from django.db import connection, transaction
    from django.utils import timezone

    from alliance.practice.accounts.models import Membership, Organisation
    from alliance.practice.care.models import (
        Assignment,
        Client,
        Episode,
        MeasurePlanEntry,
        Session,
    )
    from alliance.practice.collect.models import Response, ScaleScore

    started = time.perf_counter()
    rng = np.random.default_rng(SEED)
    gen = generate(n_clients, n_sessions, rng)
    outcome = score_all(OUTCOME, gen.outcome)
    alliance = score_all(ALLIANCE, gen.alliance)
    log(f"generated and scored {2 * len(gen.outcome):,} responses")
    owner = caseload_owner(n_clients)
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    times = {OUTCOME: clock(9, 40), ALLIANCE: clock(10, 55)}

    user_model = get_user_model()
    with transaction.atomic():
        org = Organisation.objects.create(name="Bench Practice", slug=ORG_SLUG)
        password = make_password("bench")
        names = [f"bench-p{i:02d}" for i in range(N_PRACTITIONERS)] + [LEAD]
        users = user_model.objects.bulk_create(
            user_model(username=name, password=password) for name in names
        )
        Membership.objects.bulk_create(
            Membership(
                user=u,
                organisation=org,
                role=Membership.Role.LEAD if u.username == LEAD else Membership.Role.PRACTITIONER,
            )
            for u in users
        )
    session_id, response_id, score_id = next_id(Session), next_id(Response), next_id(ScaleScore)

    for first in range(0, n_clients, CHUNK_CLIENTS):
        indices = range(first, min(first + CHUNK_CLIENTS, n_clients))
        with transaction.atomic():
            clients = Client.objects.bulk_create(
                Client(organisation=org, code=f"B{i + 1:05d}") for i in indices
            )
            Assignment.objects.bulk_create(
                Assignment(client=c, practitioner=users[owner[i]])
                for i, c in zip(indices, clients, strict=True)
            )
            starts = [today - timedelta(weeks=int(gen.start_weeks_ago[i])) for i in indices]
            episodes = Episode.objects.bulk_create(
                Episode(client=c, kind="therapy", phase="working", started=start)
                for c, start in zip(clients, starts, strict=True)
            )
            MeasurePlanEntry.objects.bulk_create(
                MeasurePlanEntry(episode=e, instrument_id=iid, respondent="client", timing=when)
                for e in episodes
                for iid, when in ((OUTCOME, "before"), (ALLIANCE, "after"))
            )
            sessions: list[tuple[Any, ...]] = []
            responses: list[tuple[Any, ...]] = []
            scores: list[tuple[Any, ...]] = []
            for i, client, episode, start in zip(indices, clients, episodes, starts, strict=True):
                for t in range(n_sessions):
                    day = start + timedelta(weeks=t)
                    sessions.append(
                        (session_id, episode.pk, t + 1, day, "attended", "in_person", "")
                    )
                    row = i * n_sessions + t
                    for iid, scored in ((OUTCOME, outcome), (ALLIANCE, alliance)):
                        responses.append(
                            (
                                response_id,
                                client.pk,
                                episode.pk,
                                session_id,
                                iid,
                                "client",
                                uuid.uuid4(),
                                scored.answers[row],
                                "",
                                scored.flags[row],
                                [],
                                "link",
                                datetime.combine(day, times[iid], tzinfo=tz),
                            )
                        )
                        for scale_id, values in scored.scores.items():
                            band = scored.bands[scale_id][row] if scale_id in scored.bands else ""
                            scores.append(
                                (score_id, response_id, scale_id, float(values[row]), band)
                            )
                            score_id += 1
                        response_id += 1
                    session_id += 1
            insert_rows(Session, SESSION_COLUMNS, sessions)
            insert_rows(Response, RESPONSE_COLUMNS, responses)
            insert_rows(ScaleScore, SCORE_COLUMNS, scores)
        done = indices.stop
        if done % 2000 == 0 or done == n_clients:
            log(f"seeded {done:,}/{n_clients:,} clients ({time.perf_counter() - started:.0f} s)")
    with connection.cursor() as cursor:  # PostgreSQL: sequences past the explicit ids
        for statement in connection.ops.sequence_reset_sql(
            no_style(), [Session, Response, ScaleScore]
        ):
            cursor.execute(statement)
    if connection.vendor == "postgresql":  # what autovacuum would soon do after a bulk load
        with connection.cursor() as cursor:
            cursor.execute("VACUUM ANALYZE")


def issue_invitations(count: int) -> list[str]:
    """One open PHQ-9 invitation per submission, spread over random clients; return tokens."""
    from django.db import transaction

    from alliance.practice.care.models import Client, Episode, Session
    from alliance.practice.collect.models import Invitation

    rng = np.random.default_rng(SEED + 1)
    client_ids = np.array(Client.objects.order_by("pk").values_list("pk", flat=True))
    chosen = client_ids[rng.permutation(max(count, len(client_ids)))[:count] % len(client_ids)]
    episodes = {e.client_id: e for e in Episode.objects.filter(client_id__in=chosen.tolist())}
    last_sessions = {
        s.episode_id: s
        for s in Session.objects.filter(episode__in=episodes.values()).order_by("number")
    }
    tokens = []
    with transaction.atomic():
        for client_id in chosen.tolist():
            episode = episodes[client_id]
            _, token = Invitation.issue(
                client_id=client_id,
                episode=episode,
                session=last_sessions.get(episode.pk),
                instrument_id=OUTCOME,
                respondent="client",
            )
            tokens.append(token)
    return tokens


# --------------------------------------------------------------------------- in-process timing


def percentiles(times_ms: list[float]) -> tuple[float, float]:
    p50, p95 = np.percentile(np.array(times_ms), [50, 95])
    return round(float(p50), 1), round(float(p95), 1)


def time_pages(
    web: Any, paths: list[str], n: int, check: Callable[[bytes], bool] | None = None
) -> list[float]:
    """Milliseconds per GET, cycling through ``paths``, after three warm-up requests."""
    for k in range(3):
        web.get(paths[k % len(paths)])
    times = []
    for k in range(n):
        path = paths[k % len(paths)]
        start = time.perf_counter()
        response = web.get(path)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200 or (check is not None and not check(response.content)):
            raise SystemExit(f"GET {path}: unexpected response {response.status_code}")
    return times


def capture_sql(call: Callable[[], object]) -> list[tuple[float, str, Any]]:
    """(seconds, SQL, params) of every statement ``call`` runs on the default database."""
    from django.db import connection

    captured: list[tuple[float, str, Any]] = []

    def timed(execute: Any, sql: str, params: Any, many: bool, context: Any) -> Any:
        began = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            captured.append((time.perf_counter() - began, sql, params))

    with connection.execute_wrapper(timed):
        call()
    return captured


def measure_pages(n_requests: int, profile: bool) -> dict[str, Any]:
    from django.contrib.auth import get_user_model
    from django.test import Client as WebClient

    from alliance.practice.care.models import Client

    user_model = get_user_model()
    big = user_model.objects.get(username=BIG)
    caseload = Client.objects.filter(assignments__practitioner=big).count()
    web = WebClient()
    web.force_login(big)
    rows = min(100, caseload)

    def full_page(content: bytes) -> bool:
        return content.count(b'href="/clients/') >= rows

    dashboard = time_pages(web, ["/"], n_requests, full_page)
    queries = capture_sql(lambda: web.get("/"))
    pks = list(
        Client.objects.filter(assignments__practitioner=big)
        .order_by("pk")
        .values_list("pk", flat=True)[:50]
    )
    client_page = time_pages(web, [f"/clients/{pk}/" for pk in pks], n_requests)

    lead = WebClient()
    lead.force_login(user_model.objects.get(username=LEAD))
    lead_times = time_pages(lead, ["/"], LEAD_REQUESTS)

    if profile:
        profile_dashboard(web)
    result: dict[str, Any] = {"dashboard_caseload": caseload}
    result["dashboard_p50_ms"], result["dashboard_p95_ms"] = percentiles(dashboard)
    result["client_page_p50_ms"], result["client_page_p95_ms"] = percentiles(client_page)
    result["dashboard_lead_p50_ms"], _ = percentiles(lead_times)
    result["dashboard_queries"] = len(queries)
    return result


def profile_dashboard(web: Any) -> None:
    from django.db import connection

    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(10):
        web.get("/")
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("cumulative").print_stats(30)
    print("=== cProfile: 10 dashboard requests (cumulative) ===", file=sys.stderr)
    print(out.getvalue(), file=sys.stderr)
    queries = capture_sql(lambda: web.get("/"))
    print("=== SQL of one dashboard request ===", file=sys.stderr)
    for seconds, sql, params in queries:
        print(f"--- {seconds * 1000:.1f} ms\n{sql}\n{params}\n", file=sys.stderr)
    _, slowest, params = max(queries, key=lambda q: q[0])
    explain = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN ANALYZE "
    with connection.cursor() as cursor:
        cursor.execute(explain + slowest, params)
        print("=== plan of the slowest statement ===", file=sys.stderr)
        for row in cursor.fetchall():
            print(" ".join(str(c) for c in row), file=sys.stderr)


# --------------------------------------------------------------------------- the real server


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    process: subprocess.Popen[bytes]
    port: int
    log_path: Path

    def tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()  # gunicorn: graceful shutdown of the workers
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=5)


def start_server(data_dir: Path, database_url: str | None, extra: list[str]) -> Server:
    port = free_port()
    script = Path(sys.executable).parent / "alliance"
    if script.exists():
        command = [str(script), "serve"]
    else:
        command = [sys.executable, "-m", "alliance.cli", "serve"]
    command += ["--data-dir", str(data_dir), "--host", "127.0.0.1", "--port", str(port)]
    env = {**os.environ, "DEBUG": "false", "ALLIANCE_DATA_DIR": str(data_dir)}
    env.pop("DATABASE_URL", None)
    if database_url:
        env["DATABASE_URL"] = database_url
    log_path = data_dir / "server.log"
    with log_path.open("wb") as server_log:
        process = subprocess.Popen(
            command + extra,
            env=env,
            stdout=server_log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    server = Server(process, port, log_path)
    deadline = time.monotonic() + SERVER_START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"alliance serve exited with {process.returncode}:\n{server.tail()}")
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", FLOOR_PATH)
            if conn.getresponse().status == 200:
                conn.close()
                return server
            conn.close()
        except OSError:
            pass
        time.sleep(0.2)
    server.stop()
    raise SystemExit(f"alliance serve did not answer within {SERVER_START_TIMEOUT} s")


Request = tuple[str, str, bytes | None]


@dataclass
class LoadResult:
    ok: int = 0
    errors: int = 0
    elapsed: float = 0.0
    latencies_ms: list[float] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def per_s(self) -> float:
        return self.ok / self.elapsed if self.elapsed > 0 else 0.0


def run_load(
    port: int,
    jobs: Iterator[Request],
    *,
    concurrency: int,
    duration: float,
    expect: tuple[int, bytes],
) -> LoadResult:
    """``concurrency`` keep-alive connections send ``jobs`` until they or ``duration`` run out."""
    result = LoadResult()
    jobs_lock = threading.Lock()
    start = threading.Barrier(concurrency + 1)
    deadline = [0.0]

    def next_job() -> Request | None:
        with jobs_lock:
            return next(jobs, None)

    def send(conn: http.client.HTTPConnection, job: Request) -> tuple[int, bytes]:
        method, path, body = job
        headers = {"Content-Type": "application/x-www-form-urlencoded"} if body else {}
        conn.request(method, path, body=body, headers=headers)
        response = conn.getresponse()
        return response.status, response.read()

    def worker() -> None:
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        start.wait()
        while time.perf_counter() < deadline[0]:
            job = next_job()
            if job is None:
                break
            began = time.perf_counter()
            try:
                status, body = send(conn, job)
            except (http.client.HTTPException, OSError):
                conn.close()  # the server closed a keep-alive connection: retry once
                conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
                try:
                    status, body = send(conn, job)  # a POST replay is idempotent here
                except (http.client.HTTPException, OSError):
                    status, body = 0, b""
            took = (time.perf_counter() - began) * 1000
            good = status == expect[0] and expect[1] in body
            with result.lock:
                result.ok += good
                result.errors += not good
                result.latencies_ms.append(took)
        conn.close()

    threads = [threading.Thread(target=worker, daemon=True) for _ in range(concurrency)]
    for thread in threads:
        thread.start()
    began = time.perf_counter()
    deadline[0] = began + duration
    start.wait()
    for thread in threads:
        thread.join(timeout=duration + 120)
    result.elapsed = time.perf_counter() - began
    return result


def floor_jobs(path: str, limit: int) -> Iterator[Request]:
    return (("GET", path, None) for _ in range(limit))


def submit_jobs(tokens: list[str]) -> Iterator[Request]:
    for token in tokens:
        body = urllib.parse.urlencode({**PHQ9_POST, "submission_id": str(uuid.uuid4())})
        yield "POST", f"/f/{token}/", body.encode()


def measure_server(
    data_dir: Path, database_url: str | None, tokens: list[str], args: argparse.Namespace
) -> dict[str, Any]:
    extra = []
    if args.server_workers:
        extra += ["--workers", str(args.server_workers)]
    if args.server_threads:
        extra += ["--threads", str(args.server_threads)]
    server = start_server(data_dir, database_url, extra)
    log(f"alliance serve is up on 127.0.0.1:{server.port}")
    thanks, ok = (200, b"Thank you"), (200, b"ok")
    pool = iter(tokens)
    rounds = 2
    per_round = max(1, (len(tokens) - 4 * args.concurrency) // rounds)
    load = {"concurrency": args.concurrency}
    try:
        run_load(server.port, floor_jobs(FLOOR_PATH, 400), duration=3, expect=ok, **load)
        warm = [next(pool) for _ in range(min(4 * args.concurrency, len(tokens) // 10))]
        warmed = run_load(server.port, submit_jobs(warm), duration=10, expect=thanks, **load)
        floors, submits = [], []
        for n in range(rounds):
            floors.append(
                run_load(
                    server.port,
                    floor_jobs(FLOOR_PATH, 100_000),
                    duration=args.duration,
                    expect=ok,
                    **load,
                )
            )
            batch = [t for _, t in zip(range(per_round), pool, strict=False)]
            submits.append(
                run_load(
                    server.port,
                    submit_jobs(batch),
                    duration=args.duration,
                    expect=thanks,
                    **load,
                )
            )
            log(
                f"round {n + 1}: floor {floors[-1].per_s:.0f}/s, "
                f"submit {submits[-1].per_s:.0f}/s ({submits[-1].ok} in "
                f"{submits[-1].elapsed:.1f} s, {submits[-1].errors} errors)"
            )
    finally:
        server.stop()
    best_floor = max(floors, key=lambda r: r.per_s)
    best_submit = max(submits, key=lambda r: r.per_s)
    errors = sum(r.errors for r in [*floors, *submits])
    acknowledged = warmed.ok + sum(r.ok for r in submits)
    if errors:
        log(f"{errors} failed requests; server log tail:\n{server.tail()}")
    p50, p95 = percentiles(best_submit.latencies_ms or [0.0])
    return {
        "submit_per_s": round(best_submit.per_s, 1),
        "floor_per_s": round(best_floor.per_s, 1),
        "submit_ratio": round(best_submit.per_s / best_floor.per_s, 3),
        "submit_latency_p50_ms": p50,
        "submit_latency_p95_ms": p95,
        "failed_requests": errors,
        "submissions_acknowledged": acknowledged,
        "submissions_ran_out": any(r.elapsed < args.duration for r in submits),
    }


def count_link_responses() -> int:
    from alliance.practice.collect.models import Response

    return Response.objects.filter(invitation__isnull=False).count()


# --------------------------------------------------------------------------- main


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=10_000)
    parser.add_argument("--sessions", type=int, default=20)
    parser.add_argument("--database-url", help="postgres://...@127.0.0.1:5432/... (loopback)")
    parser.add_argument("--requests", type=int, default=60, help="timed GETs per page (a)")
    parser.add_argument("--duration", type=float, default=10.0, help="seconds per load phase")
    parser.add_argument("--concurrency", type=int, default=20)
    parser.add_argument("--submissions", type=int, default=6000, help="invitations to issue")
    parser.add_argument("--server-workers", type=int, help="default: alliance serve's")
    parser.add_argument("--server-threads", type=int, help="default: alliance serve's")
    parser.add_argument("--profile", action="store_true", help="cProfile + SQL to stderr")
    parser.add_argument("--keep", type=Path, help="seed into / reuse this SQLite data dir")
    args = parser.parse_args(argv)
    if args.clients < 2 or args.sessions < 1 or args.concurrency < 1:
        parser.error("need --clients >= 2, --sessions >= 1, --concurrency >= 1")
    if args.submissions < 10 * args.concurrency:
        parser.error("--submissions must be at least 10 x --concurrency")
    if args.keep and args.database_url:
        parser.error("--keep works with SQLite only")
    if not 1 <= args.requests <= 1000 or not 1 <= args.duration <= 120:
        parser.error("--requests 1..1000, --duration 1..120")
    return args


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    data_dir = args.keep.resolve() if args.keep else Path(tempfile.mkdtemp(prefix="alliance-b-"))
    data_dir.mkdir(parents=True, exist_ok=True)
    admin_url = database_url = None
    if args.database_url:
        admin_url, database_url = postgres_urls(args.database_url)
        postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        postgres_admin(admin_url, f"CREATE DATABASE {BENCH_DB}")
        os.environ["DATABASE_URL"] = database_url
    else:
        os.environ.pop("DATABASE_URL", None)
    os.environ["DEBUG"] = "false"
    try:
        from alliance.practice.commands import migrate, setup_django

        setup_django(data_dir)
        migrate()
        from django.db import connection, connections

        from alliance.practice.accounts.models import Organisation
        from alliance.practice.care.models import Client

        started = time.perf_counter()
        if Organisation.objects.filter(slug=ORG_SLUG).exists():
            log(f"reusing the seeded data in {data_dir}")
        else:
            seed(args.clients, args.sessions)
        seed_s = time.perf_counter() - started
        n_clients = Client.objects.count()
        tokens = issue_invitations(args.submissions)
        log(f"{n_clients:,} clients ready ({seed_s:.0f} s); {len(tokens)} invitations issued")
        before = count_link_responses()
        connections.close_all()  # measure a settled database (SQLite checkpoints its WAL) ...
        gc.collect()  # ... and a process without the seeding's garbage
        result: dict[str, Any] = {
            "clients": n_clients,
            "sessions": args.sessions,
            "database": connection.vendor,
        }
        result.update(measure_pages(args.requests, args.profile))
        connections.close_all()  # the server gets the database to itself
        result.update(measure_server(data_dir, database_url, tokens, args))
        stored = count_link_responses() - before
        result["submissions_stored_ok"] = stored == result["submissions_acknowledged"]
        result["seed_s"] = round(seed_s, 1)
        result["server"] = "alliance serve (gunicorn), HTTP on 127.0.0.1"
        result["page_timing"] = "in-process django.test.Client"
        keys = ["clients", "sessions", "dashboard_p50_ms", "dashboard_p95_ms"]
        keys += ["client_page_p50_ms", "client_page_p95_ms", "submit_per_s", "floor_per_s"]
        keys += ["submit_ratio"]
        ordered = {k: result[k] for k in keys} | {k: v for k, v in result.items() if k not in keys}
        print(json.dumps(ordered), flush=True)
    finally:
        if "django" in sys.modules:
            from django.db import connections

            connections.close_all()
        if admin_url:
            postgres_admin(admin_url, f"DROP DATABASE IF EXISTS {BENCH_DB} WITH (FORCE)")
        if not args.keep:
            shutil.rmtree(data_dir, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
