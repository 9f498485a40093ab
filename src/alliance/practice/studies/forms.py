"""Forms of the studies app: a client's research consent, a new research project."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.db.models import QuerySet
from django.utils import timezone

from alliance.measures import get_instrument, instrument_ids
from alliance.practice.accounts.models import Organisation
from alliance.practice.care.models import ResearchConsent
from alliance.practice.studies.models import ResearchProject


def error_text(form: forms.Form) -> str:
    """Every error as ``field: message`` on one line (for 400 answers)."""
    return "; ".join(
        f"{field}: {' '.join(str(m) for m in messages)}" for field, messages in form.errors.items()
    )


class ConsentForm(forms.Form):
    scope = forms.ChoiceField(
        choices=ResearchConsent.choices,
        error_messages={
            "invalid_choice": "%(value)s is not allowed; expected one of "
            + ", ".join(ResearchConsent.values)
        },
    )
    date = forms.DateField(
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "expected a date such as 2026-03-05"},
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        scope, day = data.get("scope"), data.get("date")
        if day is not None and day > timezone.localdate():
            self.add_error("date", f"{day.isoformat()} is in the future; expected today or earlier")
        elif scope and scope != ResearchConsent.NONE and day is None:
            self.add_error("date", "required: the day the client gave consent")
        return data


def instrument_choices() -> list[tuple[str, str]]:
    return [(i, f"{get_instrument(i).title} ({i})") for i in instrument_ids()]


class ProjectForm(forms.ModelForm):  # type: ignore[type-arg]
    organisation = forms.ModelChoiceField(queryset=Organisation.objects.none())
    instruments = forms.MultipleChoiceField(
        choices=instrument_choices,
        widget=forms.CheckboxSelectMultiple,
        error_messages={
            "invalid_choice": "%(value)s is not an instrument; expected ids from "
            + ", ".join(instrument_ids())
        },
    )

    class Meta:
        model = ResearchProject
        fields = [
            "organisation",
            "name",
            "title",
            "description",
            "instruments",
            "period_start",
            "period_end",
        ]
        widgets = {
            "period_start": forms.DateInput(attrs={"type": "date"}),
            "period_end": forms.DateInput(attrs={"type": "date"}),
        }
        labels = {"period_start": "Period from (optional)", "period_end": "Period to (optional)"}

    def __init__(self, *args: Any, organisations: QuerySet[Organisation], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["organisation"])  # type: ignore[type-arg]
        field.queryset = organisations
        field.empty_label = None
