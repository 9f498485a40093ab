"""``alliance export``: a research project's de-identified dataset from a practice database.

Writes long.<ext>, wide.<ext>, episodes.<ext>, codebook.csv, codebook.json and README.txt into
``--output`` (created if needed; files of the same names are replaced) and prints their paths.
Only clients whose research consent is recorded are included; see
``alliance.practice.studies.export`` for what each file holds.
"""

from __future__ import annotations

import argparse
from typing import Any

FORMAT_CHOICES = ("csv", "parquet", "sav")


def register(commands: Any) -> None:
    p = commands.add_parser(
        "export",
        help="de-identified dataset of a research project (web app database)",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("--project", required=True, metavar="NAME", help="the project's name")
    p.add_argument("--format", required=True, metavar="|".join(FORMAT_CHOICES))
    p.add_argument("--output", required=True, metavar="DIR", help="folder for the files")
    p.add_argument("--organisation", metavar="SLUG", help="when several have the project")
    p.add_argument("--data-dir", default=None)
    p.set_defaults(func=cmd_export)


def cmd_export(args: argparse.Namespace) -> None:
    from alliance.practice.commands import CommandError, setup_django

    if args.format not in FORMAT_CHOICES:
        raise CommandError(f"--format {args.format!r}: expected one of {', '.join(FORMAT_CHOICES)}")
    setup_django(args.data_dir)
    from alliance.practice.studies.export import build_dataset, record_export, write_export
    from alliance.practice.studies.models import ProjectExport

    project = find_project(args.project, args.organisation)
    dataset = build_dataset(project)
    paths = write_export(dataset, project, args.output, args.format)
    record_export(project, dataset, args.format, ProjectExport.Via.CLI)
    for role in ("long", "wide", "episodes", "codebook", "codebook_json", "readme"):
        print(paths[role])


def find_project(name: str, organisation: str | None) -> Any:
    """The project called ``name`` (in the organisation with slug ``organisation``, when
    given); CommandError names what is wrong and what exists."""
    from alliance.practice.accounts.models import Organisation
    from alliance.practice.commands import CommandError
    from alliance.practice.studies.models import ResearchProject

    projects = ResearchProject.objects.select_related("organisation")
    if organisation is not None:
        if not Organisation.objects.filter(slug=organisation).exists():
            slugs = sorted(Organisation.objects.values_list("slug", flat=True))
            raise CommandError(
                f"--organisation {organisation!r}: no such organisation; organisations: "
                + ", ".join(slugs)
            )
        projects = projects.filter(organisation__slug=organisation)
    found = list(projects.filter(name=name))
    if not found:
        names = sorted({p.name for p in projects})
        where = f" in {organisation}" if organisation else ""
        raise CommandError(
            f"--project {name!r}: no such project{where}; projects: "
            + (", ".join(names) if names else "none yet")
        )
    if len(found) > 1:
        slugs = ", ".join(sorted(p.organisation.slug for p in found))
        raise CommandError(
            f"--project {name!r}: in several organisations ({slugs}); add --organisation SLUG"
        )
    return found[0]
