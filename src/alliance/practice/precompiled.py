"""Queries whose SQL is built once per process.

Building SQL with the ORM costs about a millisecond per non-trivial query on a small machine,
which is most of the time of the small, hot queries run on every page (the header) or after
every submission (a client's history).  ``PrecompiledQuery(build)`` builds the queryset once
with a placeholder id that no database holds, keeps its SQL and parameters, and on each call
puts the real id in the placeholder's places.  ``build`` must use the id only as a parameter
(never to choose the shape of the query)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.db import connections
from django.db.models import QuerySet

PLACEHOLDER_ID = -1_987_654_321  # negative (no row has it) and inside a 32-bit id column


class PrecompiledQuery:
    def __init__(self, build: Callable[[int], QuerySet[Any]]) -> None:
        self._build = build
        self._compiled: tuple[str, str, tuple[Any, ...]] | None = None

    def _sql(self) -> tuple[str, str, tuple[Any, ...]]:
        if self._compiled is None:
            queryset = self._build(PLACEHOLDER_ID)
            sql, params = queryset.query.get_compiler(using=queryset.db).as_sql()
            if PLACEHOLDER_ID not in params:
                raise ValueError("the query does not use its id as a parameter")
            self._compiled = (queryset.db, sql, tuple(params))
        return self._compiled

    def rows(self, key: int) -> list[tuple[Any, ...]]:
        """The rows of the query for ``key`` (a DB-API fetch, no ORM conversion)."""
        db, sql, params = self._sql()
        bound = [key if p == PLACEHOLDER_ID else p for p in params]
        with connections[db].cursor() as cursor:
            cursor.execute(sql, bound)
            return cursor.fetchall()
