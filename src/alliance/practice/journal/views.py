"""Journal views: write, read, edit, share and unshare, delete; entries shared with me.

Every view finds its entry or client through ``access.py`` (client scope AND authorship or
sharing); anything else is a 404.  Entry texts never appear in a URL, a log or a message.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from alliance.practice.care.models import Client
from alliance.practice.journal import access
from alliance.practice.journal.forms import EntryFormError, client_sessions, parse_entry_form
from alliance.practice.journal.models import JournalEntry
from alliance.practice.journal.prompts import FIELDS, MAX_CHARS


def _form_page(
    request: HttpRequest,
    client: Client,
    entry: JournalEntry | None,
    answers: dict[str, str],
    session_id: int | None,
    error: str = "",
) -> HttpResponse:
    context = {
        "client": client,
        "entry": entry,
        "fields": [(p, answers.get(p.key, "")) for p in FIELDS],
        "sessions": client_sessions(client),
        "session_id": session_id,
        "max_chars": MAX_CHARS,
        "error": error,
    }
    return render(request, "journal/entry_form.html", context, status=400 if error else 200)


def _selected_session(request: HttpRequest) -> int | None:
    raw = request.POST.get("session") if request.method == "POST" else request.GET.get("session")
    return int(raw) if raw and raw.isdigit() else None


@login_required
def new_entry(request: HttpRequest, pk: int) -> HttpResponse:
    client = access.get_writable_client(request.user, pk)
    if request.method != "POST":
        return _form_page(request, client, None, {}, _selected_session(request))
    try:
        form = parse_entry_form(request.POST, client)
    except EntryFormError as exc:
        posted = {p.key: request.POST.get(p.key, "") for p in FIELDS}
        return _form_page(request, client, None, posted, _selected_session(request), str(exc))
    entry = JournalEntry(author=request.user, client=client, session=form.session)
    entry.set_answers(form.answers)
    entry.save()
    return redirect("journal:entry", pk=entry.pk)


@login_required
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_readable_entry(request.user, pk)
    is_author = entry.author_id == request.user.pk
    context = {
        "entry": entry,
        "client": entry.client,
        "is_author": is_author,
        "answered": [(p, entry.answers[p.key]) for p in FIELDS if entry.answers.get(p.key)],
        "supervisor": access.supervisor_of(request.user, entry.client) if is_author else None,
    }
    return render(request, "journal/entry.html", context)


@login_required
def edit_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_own_entry(request.user, pk)
    if request.method != "POST":
        return _form_page(request, entry.client, entry, entry.answers, entry.session_id)
    try:
        form = parse_entry_form(request.POST, entry.client)
    except EntryFormError as exc:
        posted = {p.key: request.POST.get(p.key, "") for p in FIELDS}
        selected = _selected_session(request)
        return _form_page(request, entry.client, entry, posted, selected, str(exc))
    entry.set_answers(form.answers)
    entry.session = form.session
    entry.save(update_fields=["ciphertext", "session", "updated"])
    return redirect("journal:entry", pk=entry.pk)


@login_required
@require_POST
def share_entry(request: HttpRequest, pk: int) -> HttpResponse:
    """Share one entry with the author's supervisor (read-only for them)."""
    entry = access.get_own_entry(request.user, pk)
    supervisor = access.supervisor_of(request.user, entry.client)
    if supervisor is None:
        return HttpResponseBadRequest(
            "share: you have no supervisor in this organisation to share the entry with",
            content_type="text/plain",
        )
    entry.shared_with, entry.shared_at = supervisor, timezone.now()
    entry.save(update_fields=["shared_with", "shared_at"])
    return redirect("journal:entry", pk=entry.pk)


@login_required
@require_POST
def unshare_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_own_entry(request.user, pk)
    entry.shared_with, entry.shared_at = None, None
    entry.save(update_fields=["shared_with", "shared_at"])
    return redirect("journal:entry", pk=entry.pk)


@login_required
@require_POST
def delete_entry(request: HttpRequest, pk: int) -> HttpResponse:
    entry = access.get_own_entry(request.user, pk)
    if request.POST.get("confirm") != "yes":
        return HttpResponseBadRequest(
            "confirm: tick the box to confirm that the entry should be deleted",
            content_type="text/plain",
        )
    client_pk = entry.client_id
    entry.delete()
    return redirect("dashboard:client", pk=client_pk)


@login_required
def shared_with_me(request: HttpRequest) -> HttpResponse:
    """A supervisor's list of the entries their supervisees shared with them (metadata only;
    each opens read-only).  Empty for everyone else."""
    entries = (
        access.shared_with_me(request.user)
        .select_related("client", "session", "author")
        .order_by("-shared_at", "-pk")
    )
    return render(request, "journal/shared.html", {"entries": list(entries[:200])})
