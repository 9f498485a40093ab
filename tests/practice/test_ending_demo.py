"""The demo practice's ending data: completed relapse plans for the planned endings of past
clients, client changes, follow-ups with some answers, and nothing left for the outbox to send
right after seeding."""

from datetime import timedelta

import pytest
from django.utils import timezone

from alliance.practice.care.models import Episode
from alliance.practice.collect.models import Invitation, Response
from alliance.practice.ending.checklist import ending_state
from alliance.practice.ending.followups import add_months, last_session_date
from alliance.practice.ending.models import FollowUp, PlanChange, RelapsePlan


@pytest.mark.django_db
def test_the_demo_has_completed_plans_and_follow_ups_for_planned_endings():
    from alliance.practice.demo import seed_demo

    org = seed_demo()
    past = Episode.objects.filter(client__organisation=org, client__code__startswith="P")
    planned = past.filter(ending_reason=Episode.EndingReason.PLANNED)
    plans = RelapsePlan.objects.filter(episode__in=planned)
    assert plans.count() == planned.count() > 100
    assert all(plan.is_complete and plan.completed_at for plan in plans)
    assert not RelapsePlan.objects.filter(
        episode__ending_reason=Episode.EndingReason.DROPPED_OUT
    ).exists()
    varied = {tuple(plan.section("warning_signs")) for plan in plans}
    assert len(varied) > 0.8 * plans.count()
    assert PlanChange.objects.filter(by_client=True, plan__episode__in=planned).count() > 20

    current = RelapsePlan.objects.filter(episode__client__code__startswith="D")
    assert any(ending_state(plan.episode).unseen_changes for plan in current)
    spanish = current.filter(episode__client__preferred_language="es").first()
    assert spanish is not None and "Caminar media hora cada día" in spanish.section("coping")

    follow_ups = FollowUp.objects.select_related("invitation", "episode")
    assert follow_ups.count() > 20
    for fu in follow_ups[:40]:
        assert fu.due == add_months(last_session_date(fu.episode), fu.months)
        assert fu.invitation.send_after.date() == fu.due
    answers = Response.objects.filter(invitation__follow_up__isnull=False)
    assert 3 <= answers.count() < follow_ups.count()
    assert all(r.submitted_at >= r.invitation.send_after for r in answers)
    now = timezone.now()
    pending = Invitation.objects.filter(
        follow_up__isnull=False, completed_at__isnull=True, send_after__lte=now, expires_at__gt=now
    )
    assert not pending.exists()  # nothing due and unsent right after seeding
    assert PlanChange.objects.filter(at__gt=now + timedelta(seconds=1)).count() == 0
