"""Queries built once per process give what the ORM gives, for every id in turn."""

import pytest

from alliance.practice.care.models import Client
from alliance.practice.dashboard.context import OPEN_ALERTS
from alliance.practice.dashboard.models import Alert
from alliance.practice.dashboard.queries import open_alerts
from alliance.practice.dashboard.templatetags.header_links import header_state
from alliance.practice.precompiled import PrecompiledQuery
from tests.practice.conftest import make_client, make_user


def test_a_precompiled_query_equals_the_orm_for_each_id(org, owner, colleague):
    for n in range(3):
        make_client(org, owner if n < 2 else colleague, f"C00{n}")
    codes = PrecompiledQuery(
        lambda uid: (
            Client.objects.filter(assignments__practitioner_id=uid)
            .order_by("code")
            .values_list("code")
        )
    )
    for user in (owner, colleague, owner):
        expected = list(
            Client.objects.filter(assignments__practitioner=user)
            .order_by("code")
            .values_list("code")
        )
        assert [tuple(r) for r in codes.rows(user.pk)] == expected


def test_a_query_that_ignores_its_id_is_refused(db):
    query = PrecompiledQuery(lambda uid: Client.objects.values_list("code"))
    with pytest.raises(ValueError, match="does not use its id"):
        query.rows(1)


def test_the_header_counts_equal_the_orm(org, owner, colleague, outsider):
    client = make_client(org, owner, "C001")
    for session in (1, 2, 3):
        Alert.objects.create(
            client=client,
            episode=client.episodes.get(),
            kind="low_alliance",
            session=session,
            severity="warning",
            explanation="x",
        )
    lead = make_user("lead", org, role="lead")
    for user in (owner, colleague, outsider, lead):
        rows = OPEN_ALERTS.rows(user.pk)
        assert (rows[0][0] if rows else 0) == open_alerts(user).count()
    assert header_state(lead)["research"] and not header_state(owner)["research"]
