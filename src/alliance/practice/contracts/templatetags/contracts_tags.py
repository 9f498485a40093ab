"""``{% contract_panel client %}``: the contract, goals and readiness panel of the client page."""

from __future__ import annotations

from typing import Any

from django import template

from alliance.practice.care.models import Client
from alliance.practice.contracts import readiness
from alliance.practice.contracts.models import Contract, ReadinessCheck
from alliance.practice.contracts.progress import goal_progress
from alliance.practice.contracts.versions import current_episode, latest_version

register = template.Library()


@register.inclusion_tag("contracts/panel.html")
def contract_panel(client: Client) -> dict[str, Any]:
    """The current contract version, the goals with their latest ratings and GAS T-score,
    and the latest readiness answers of the client's current episode (a fixed number of
    queries)."""
    episode = current_episode(client)
    contract = Contract.objects.filter(episode=episode).first() if episode else None
    progress = goal_progress(episode)
    check = (
        ReadinessCheck.objects.filter(episode=episode).select_related("entered_by").first()
        if episode
        else None
    )
    return {
        "client": client,
        "episode": episode,
        "current": latest_version(contract),
        "rows": [row for row in progress.rows if row.goal.is_active],
        "latest_review": progress.latest_review,
        "readiness": check,
        "readiness_answers": readiness.answer_pairs(check) if check else [],
        "readiness_label": readiness.LABEL,
    }


@register.filter
def signed(value: Any) -> str:
    """A goal attainment level with its sign: +2, +1, 0, -1, -2."""
    try:
        number = int(value)
    except (TypeError, ValueError):
        return ""
    return f"{number:+d}" if number else "0"
