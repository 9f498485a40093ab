"""The relapse-prevention plan as an A4 PDF (WeasyPrint), in the client's language."""

from __future__ import annotations

from django.conf import settings
from django.http import HttpResponse
from django.template.loader import render_to_string

from alliance.practice.ending.models import RelapsePlan
from alliance.practice.ending.sections import (
    CRISIS_SECTION,
    TEXTS,
    language_for,
    sections_with,
)


def plan_html(plan: RelapsePlan) -> str:
    episode = plan.episode
    client = episode.client
    language = language_for(client.preferred_language)
    texts = TEXTS[language]
    sections = sections_with(plan.entries, texts)
    return render_to_string(
        "ending/plan_pdf.html",
        {
            "plan": plan,
            "client": client,
            "organisation": client.organisation,
            "language": language,
            "texts": texts,
            "crisis": next(s for s in sections if s.id == CRISIS_SECTION),
            "sections": [s for s in sections if s.id != CRISIS_SECTION],
        },
    )


def plan_pdf(plan: RelapsePlan) -> bytes:
    import weasyprint  # imported on use: it loads Pango and fonts

    html = weasyprint.HTML(string=plan_html(plan), base_url=str(settings.BASE_DIR))
    return bytes(html.write_pdf())


def pdf_response(plan: RelapsePlan, filename: str, download: bool) -> HttpResponse:
    """The PDF, shown in the browser (to print) or, with ``download``, saved as a file."""
    response = HttpResponse(plan_pdf(plan), content_type="application/pdf")
    disposition = "attachment" if download else "inline"
    response["Content-Disposition"] = f'{disposition}; filename="{filename}"'
    response["Cache-Control"] = "no-store"
    return response
