"""A project's report: the statistics of ``alliance.research.report`` on the project's
de-identified export, as one self-contained HTML page (the page ``alliance report --input
<export folder>`` writes: the export is written as CSV to a temporary folder and read back
with ``load_report_input``, so the numbers are the command line's)."""

from __future__ import annotations

import importlib.util
import tempfile
from pathlib import Path

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from alliance.practice.studies.access import get_visible_project, research_view
from alliance.practice.studies.export import build_dataset, write_export
from alliance.research.errors import ResearchError


def report_available() -> bool:
    """Whether the report module is installed (it is optional for the rest of the app)."""
    return importlib.util.find_spec("alliance.research.report") is not None


@research_view
def project_report(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_project(request.user, pk)
    from alliance.research.report import build_report, load_report_input, render_html

    try:
        dataset = build_dataset(project)
        with tempfile.TemporaryDirectory(prefix="alliance-report-") as folder:
            target = Path(folder) / project.name
            write_export(dataset, project, target, "csv")
            report = build_report(load_report_input(target), title=project.title)
    except ResearchError as exc:
        context = {"project": project, "problem": str(exc), "what": "report"}
        return render(request, "studies/unavailable.html", context)
    response = HttpResponse(render_html(report), content_type="text/html; charset=utf-8")
    response["Cache-Control"] = "no-store"
    return response
