"""Forms for practitioners: a new client (with their first episode) and a session."""

from __future__ import annotations

from django import forms

from alliance.practice.care.models import Client, Episode, Session


class NewClientForm(forms.ModelForm):  # type: ignore[type-arg]
    kind = forms.ChoiceField(choices=Episode.Kind.choices, label="Kind of work")
    started = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))

    class Meta:
        model = Client
        fields = ["code", "name", "preferred_language", "pronouns", "contact_email"]

    def __init__(self, *args: object, organisation: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.organisation = organisation

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if Client.objects.filter(organisation=self.organisation, code=code).exists():
            raise forms.ValidationError("A client with this code already exists in the practice.")
        return code


class SessionForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Session
        fields = ["date", "status", "modality", "note"]
        widgets = {"date": forms.DateInput(attrs={"type": "date"})}
