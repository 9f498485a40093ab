"""Reading a journal entry form: the prompt answers and the optional session."""

from __future__ import annotations

from dataclasses import dataclass

from django.http import QueryDict

from alliance.practice.care.models import Client, Session
from alliance.practice.journal.prompts import FIELD_KEYS, MAX_CHARS


class EntryFormError(ValueError):
    """A bad journal form; the message names the field and what is allowed."""


@dataclass(frozen=True)
class EntryForm:
    answers: dict[str, str]
    session: Session | None


def client_sessions(client: Client) -> list[Session]:
    """The client's sessions, newest first (every episode)."""
    return list(
        Session.objects.filter(episode__client=client)
        .select_related("episode")
        .order_by("-date", "-number")
    )


def parse_entry_form(data: QueryDict, client: Client) -> EntryForm:
    answers = {key: data.get(key, "").strip() for key in FIELD_KEYS}
    for key, text in answers.items():
        if len(text) > MAX_CHARS:
            raise EntryFormError(f"{key}: at most {MAX_CHARS} characters (got {len(text)})")
    if not any(answers.values()):
        raise EntryFormError(
            f"{', '.join(FIELD_KEYS)}: write something in at least one of the fields"
        )
    session = None
    raw = data.get("session", "").strip()
    if raw:
        if not raw.isdigit():
            raise EntryFormError("session: choose one of this client's sessions or none")
        session = (
            Session.objects.filter(pk=int(raw), episode__client=client)
            .select_related("episode")
            .first()
        )
        if session is None:
            raise EntryFormError("session: choose one of this client's sessions or none")
    return EntryForm({k: v for k, v in answers.items() if v}, session)
