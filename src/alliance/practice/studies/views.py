"""The research area: projects of the organisations where the user is a researcher or the
clinical lead, a new project, a project's page and its de-identified export as a zip."""

from __future__ import annotations

import tempfile

from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone

from alliance.measures import get_instrument
from alliance.practice.studies.access import (
    get_visible_project,
    research_organisations,
    research_view,
    visible_projects,
)
from alliance.practice.studies.export import (
    FORMATS,
    build_dataset,
    check_format,
    record_export,
    write_export,
    zip_files,
)
from alliance.practice.studies.forms import ProjectForm
from alliance.practice.studies.models import ProjectExport, ResearchProject
from alliance.practice.studies.report_views import report_available
from alliance.practice.studies.rows import consented_clients
from alliance.research.errors import ResearchError

CODEBOOK_SHOWN = ("variable", "label", "type", "minimum", "maximum", "direction")


@research_view
def projects(request: HttpRequest) -> HttpResponse:
    rows = visible_projects(request.user).select_related("organisation", "created_by")
    return render(request, "studies/projects.html", {"projects": rows})


@research_view
def new_project(request: HttpRequest) -> HttpResponse:
    organisations = research_organisations(request.user).order_by("name")
    form = ProjectForm(
        request.POST or None,
        organisations=organisations,
        initial={"organisation": organisations.first()},
    )
    if request.method == "POST":
        if form.is_valid():
            project = form.save(commit=False)
            project.created_by = request.user
            project.save()
            return redirect("studies:project", pk=project.pk)
        context = {"form": form, "several": organisations.count() > 1}
        return render(request, "studies/new_project.html", context, status=400)
    return render(
        request, "studies/new_project.html", {"form": form, "several": organisations.count() > 1}
    )


def unavailable(request: HttpRequest, project: ResearchProject, problem: str) -> HttpResponse:
    """The page shown when the data cannot make a dataset (e.g. a stored score of a scale an
    instrument no longer has): what is wrong, never the data."""
    context = {"project": project, "problem": problem, "what": "export"}
    return render(request, "studies/unavailable.html", context, status=409)


@research_view
def project_detail(request: HttpRequest, pk: int) -> HttpResponse:
    project = get_visible_project(request.user, pk)
    try:
        dataset = build_dataset(project)
    except ResearchError as exc:
        return unavailable(request, project, str(exc))
    codebook = dataset.codebook.reindex(columns=list(CODEBOOK_SHOWN)).astype(object)
    context = {
        "project": project,
        "dataset": dataset,
        "consented": consented_clients(project, timezone.localdate()).count(),
        "instruments": [get_instrument(i) for i in project.instruments],
        "codebook": codebook.where(codebook.notna(), None).to_dict(orient="records"),
        "formats": FORMATS,
        "report_available": report_available(),
        "exports": ProjectExport.objects.filter(project=project).select_related("exported_by")[:20],
    }
    return render(request, "studies/project.html", context)


@research_view
def export(request: HttpRequest, pk: int) -> HttpResponse:
    """The de-identified export as ``<project>-<format>.zip`` (``?format=csv|parquet|sav``)."""
    project = get_visible_project(request.user, pk)
    try:
        fmt = check_format(request.GET.get("format", "csv"))
    except ResearchError as exc:
        return HttpResponseBadRequest(str(exc), content_type="text/plain")
    try:
        dataset = build_dataset(project)
    except ResearchError as exc:
        return unavailable(request, project, str(exc))
    with tempfile.TemporaryDirectory(prefix="alliance-export-") as folder:
        paths = write_export(dataset, project, folder, fmt)
        content = zip_files(paths, f"{project.name}-{fmt}")
    record_export(project, dataset, fmt, ProjectExport.Via.WEB, request.user)
    response = HttpResponse(content, content_type="application/zip")
    response["Content-Disposition"] = f'attachment; filename="{project.name}-{fmt}.zip"'
    response["Cache-Control"] = "no-store"
    return response
