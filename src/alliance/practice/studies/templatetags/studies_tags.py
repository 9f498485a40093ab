"""Template tags of the studies app: the research consent panel of the client page.  (The
header's "Research" link is ``dashboard.templatetags.header_links``, for ``RESEARCH_ROLES``.)"""

from __future__ import annotations

from typing import Any

from django import template

from alliance.practice.care.models import Client, ResearchConsent

register = template.Library()


@register.inclusion_tag("studies/_consent.html", takes_context=True)
def research_consent(context: template.Context, client: Client) -> dict[str, Any]:
    """``{% research_consent client %}``: the client's consent and a form to record it."""
    return {
        "client": client,
        "csrf_token": context.get("csrf_token"),
        "scopes": ResearchConsent.choices,
        "consented": client.research_consent_scope != ResearchConsent.NONE,
    }
