"""Forms of the process-studies pages; errors name the field and what is allowed."""

from __future__ import annotations

from pathlib import PurePath
from typing import Any

from django import forms
from django.contrib.auth import get_user_model
from django.core.files.uploadedfile import UploadedFile

from alliance.practice.process_studies import schedule
from alliance.practice.process_studies.models import ProcessStudy

TRANSCRIPT_SUFFIXES = (".txt", ".md", ".rtf", ".pdf", ".docx", ".odt", ".vtt", ".srt")
MAX_TRANSCRIPT_BYTES = 20 * 1024 * 1024
DATETIME_WIDGET = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


def error_text(form: forms.Form) -> str:
    """``"field: message; field: message"`` for a 400 page."""
    parts = []
    for field, errors in form.errors.items():
        for message in errors:
            text = str(message)
            named = field == "__all__" or text.startswith(f"{field}:")
            parts.append(text if named else f"{field}: {text}")
    return "; ".join(parts)


class StudyForm(forms.ModelForm):  # type: ignore[type-arg]
    sessions = forms.CharField(
        label="Sessions to record",
        initial="3, 5",
        help_text="Session numbers separated by commas.",
    )

    class Meta:
        model = ProcessStudy
        fields = ["title", "main_questions", "follow_up_prompts", "window_hours", "is_active"]
        labels = {"window_hours": "Interview window (hours after the session)"}
        widgets = {
            "main_questions": forms.Textarea(attrs={"rows": 6}),
            "follow_up_prompts": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.initial["sessions"] = ", ".join(map(str, self.instance.sessions_to_record))

    def clean_sessions(self) -> list[int]:
        try:
            return schedule.parse_session_numbers(str(self.cleaned_data["sessions"]))
        except schedule.ScheduleError as error:
            raise forms.ValidationError(str(error)) from None

    def clean_window_hours(self) -> int:
        try:
            return schedule.check_window(int(self.cleaned_data["window_hours"]))
        except schedule.ScheduleError as error:
            raise forms.ValidationError(str(error)) from None

    def save(self, commit: bool = True) -> ProcessStudy:
        study: ProcessStudy = super().save(commit=False)
        study.sessions_to_record = self.cleaned_data["sessions"]
        if commit:
            study.save()
        return study


class EnrolForm(forms.Form):
    code = forms.CharField(label="Client code", max_length=32)


class RecordForm(forms.Form):
    ended_at = forms.DateTimeField(
        label="Session ended at",
        required=False,
        widget=DATETIME_WIDGET,
        help_text="Leave empty for 17:00 on the session's date.",
    )


class CancelForm(forms.Form):
    reason = forms.CharField(max_length=500, label="Reason")


class DoneForm(forms.Form):
    held_at = forms.DateTimeField(label="Held at", widget=DATETIME_WIDGET)
    interviewer = forms.ModelChoiceField(queryset=get_user_model().objects.none(), required=False)
    notes = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), required=False)
    transcript = forms.FileField(
        required=False,
        help_text=f"{', '.join(TRANSCRIPT_SUFFIXES)}; up to 20 MB. Replaces an earlier upload.",
    )

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        members = get_user_model().objects.filter(memberships__organisation_id=organisation_id)
        field: Any = self.fields["interviewer"]
        field.queryset = members.order_by("username")
        field.label_from_instance = lambda u: u.get_full_name() or u.get_username()

    def clean_transcript(self) -> UploadedFile | None:
        upload = self.cleaned_data.get("transcript")
        if not upload:
            return None
        suffix = PurePath(upload.name or "").suffix.lower()
        if suffix not in TRANSCRIPT_SUFFIXES:
            raise forms.ValidationError(
                f"transcript: {suffix or 'no extension'} is not allowed; expected one of "
                f"{', '.join(TRANSCRIPT_SUFFIXES)}"
            )
        if upload.size is not None and upload.size > MAX_TRANSCRIPT_BYTES:
            raise forms.ValidationError("transcript: the file is larger than 20 MB")
        return upload  # type: ignore[no-any-return]
