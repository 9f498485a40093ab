"""``{% header_links %}``: the header links of the other apps (intake requests with their
pending count, research, process studies or "my interviews"), each shown only to the roles
that may use it, worked out in ONE query per page (an annotated row of the user), so the
query count of every page stays constant as apps are added."""

from __future__ import annotations

from typing import Any

from django import template
from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, IntegerField, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from alliance.practice.accounts.models import Membership
from alliance.practice.care.scoping import CLINICAL_ROLES
from alliance.practice.precompiled import PrecompiledQuery
from alliance.practice.process_studies.access import MANAGER_ROLES, own_interviews
from alliance.practice.public.access import requests_rule
from alliance.practice.public.models import IntakeRequest
from alliance.practice.studies.access import RESEARCH_ROLES

register = template.Library()


FIELDS = ("intake_slug", "intake_pending", "research", "manages_studies", "interviewed")


def header_query(user_id: int) -> QuerySet[Any]:
    """What the header shows for the user with this id, as one annotated row of the user."""
    user = get_user_model()(pk=user_id)
    memberships = Membership.objects.filter(user_id=user_id)
    clinical = memberships.filter(role__in=CLINICAL_ROLES)
    lead_orgs = clinical.filter(role=Membership.Role.LEAD).values("organisation")
    # the pending requests the user may see, by the rule of the intake pages
    pending = (
        IntakeRequest.objects.filter(status=IntakeRequest.Status.PENDING)
        .order_by()
        .filter(requests_rule(user_id, lead_orgs, clinical.values("organisation")))
        .annotate(group=Value(1))
        .values("group")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        get_user_model()
        .objects.filter(pk=user_id)
        .annotate(
            intake_slug=Subquery(clinical.order_by("pk").values("organisation__slug")[:1]),
            intake_pending=Coalesce(Subquery(pending, output_field=IntegerField()), 0),
            research=Exists(memberships.filter(role__in=RESEARCH_ROLES)),
            manages_studies=Exists(memberships.filter(role__in=MANAGER_ROLES)),
            interviewed=Exists(own_interviews(user)),
        )
        .values_list(*FIELDS)
    )


#: Built once per process: constructing this query with the ORM took longer than running it.
HEADER = PrecompiledQuery(header_query)


def header_state(user: Any) -> dict[str, Any]:
    """What the header shows for this user, from one query."""
    rows = HEADER.rows(user.pk)
    return dict(zip(FIELDS, rows[0], strict=True)) if rows else {}


@register.simple_tag(takes_context=True)
def header_links(context: template.Context) -> SafeString | str:
    request = context.get("request")
    user = getattr(request, "user", None)
    if request is None or user is None or not user.is_authenticated:
        return ""
    state = getattr(request, "_header_state", None)
    if state is None:
        state = header_state(user)
        request._header_state = state
    links: list[SafeString] = []
    if state.get("intake_slug"):
        url = reverse("public:intake_list", args=[state["intake_slug"]])
        pending = state["intake_pending"]
        links.append(
            format_html('<a href="{}" class="nav-intake">Intake requests ({})</a>', url, pending)
        )
    if state.get("research"):
        links.append(format_html('<a href="{}">Research</a>', reverse("studies:projects")))
    if state.get("manages_studies"):
        url = reverse("process_studies:list")
        links.append(format_html('<a href="{}">Process studies</a>', url))
    elif state.get("interviewed"):
        url = reverse("process_studies:my_interviews")
        links.append(format_html('<a href="{}">My interviews</a>', url))
    return format_html_join("\n      ", "{}", ((link,) for link in links))
