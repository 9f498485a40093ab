"""Forms of the public page (the visitor's request) and of its staff side."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile

from alliance.practice.care.models import Client, Episode
from alliance.practice.public.models import (
    IntakeRequest,
    PracticePage,
    PractitionerProfile,
    Service,
)
from alliance.practice.public.photos import normalise_photo

HONEYPOT = "website"
PHONE = re.compile(r"^[0-9 +()./-]{5,40}$")


class IntakeForm(forms.Form):
    """A visitor's request for a first conversation. ``website`` is the honeypot: hidden from
    people (CSS) and from screen readers (aria-hidden), so only a bot fills it in."""

    name = forms.CharField(max_length=200, label="Your name")
    email = forms.EmailField(label="Email")
    phone = forms.CharField(max_length=40, required=False, label="Phone (optional)")
    practitioner = forms.TypedChoiceField(
        coerce=int, empty_value=None, required=False, label="Who would you like to talk to?"
    )
    service = forms.ModelChoiceField(
        queryset=Service.objects.none(),
        required=False,
        empty_label="Not sure yet",
        label="Which service are you interested in?",
    )
    modality = forms.ChoiceField(
        choices=IntakeRequest.Modality.choices,
        initial=IntakeRequest.Modality.NO_PREFERENCE,
        label="In person or online?",
    )
    message = forms.CharField(
        max_length=1000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        label="A short message (optional)",
        help_text="A line or two about what you are looking for. Please keep health details "
        "for the first conversation.",
    )
    consent = forms.BooleanField(
        label="I agree that the practice may contact me by email or phone about this request.",
        error_messages={"required": "Please agree that the practice may contact you."},
    )
    website = forms.CharField(required=False, label="Leave this field empty")

    def __init__(
        self, *args: Any, page: PracticePage, profiles: list[PractitionerProfile], **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.page = page
        self.profiles = profiles
        people = [(p.user_id, p.display_name) for p in profiles]
        self.fields["practitioner"].choices = [("", "Anyone in the practice"), *people]
        self.fields["service"].queryset = page.services.all()
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        self.fields["email"].widget.attrs["autocomplete"] = "email"
        self.fields["name"].widget.attrs["autocomplete"] = "name"
        self.fields["phone"].widget.attrs.update({"autocomplete": "tel", "type": "tel"})

    def is_bot(self) -> bool:
        return bool(str(self.data.get(HONEYPOT, "")).strip())

    def clean_phone(self) -> str:
        phone = str(self.cleaned_data.get("phone", "")).strip()
        if phone and not PHONE.match(phone):
            raise forms.ValidationError(
                "Use digits, spaces and + ( ) - . / only (5 to 40 characters)."
            )
        return phone


class PracticePageForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = PracticePage
        fields = ["introduction", "notify_email"]
        widgets = {"introduction": forms.Textarea(attrs={"rows": 6})}


class ServiceForm(forms.ModelForm):  # type: ignore[type-arg]
    class Meta:
        model = Service
        fields = ["name", "kind", "modality", "description", "duration", "price", "position"]
        widgets = {"description": forms.Textarea(attrs={"rows": 2})}


ServiceFormSet = forms.inlineformset_factory(
    PracticePage, Service, form=ServiceForm, extra=1, can_delete=True
)


class ProfileForm(forms.ModelForm):  # type: ignore[type-arg]
    remove_photo = forms.BooleanField(required=False, label="Remove the photo")

    class Meta:
        model = PractitionerProfile
        fields = [
            "display_name",
            "photo",
            "bio",
            "qualifications",
            "approach",
            "is_published",
        ]
        widgets = {
            "photo": forms.FileInput(attrs={"accept": "image/jpeg,image/png,image/webp"}),
            "bio": forms.Textarea(attrs={"rows": 5}),
            "qualifications": forms.Textarea(attrs={"rows": 3}),
            "approach": forms.Textarea(attrs={"rows": 4}),
        }

    def clean_photo(self) -> Any:
        photo = self.cleaned_data.get("photo")
        if isinstance(photo, UploadedFile):
            return normalise_photo(photo)
        return photo


class StatusForm(forms.Form):
    status = forms.ChoiceField(choices=IntakeRequest.Status.choices)


class ClientFromRequestForm(forms.Form):
    code = forms.CharField(
        max_length=32,
        label="Client code",
        help_text="A pseudonymous code, unique in the practice (not the client's name).",
    )
    kind = forms.ChoiceField(choices=Episode.Kind.choices, label="Kind of work")
    started = forms.DateField(label="Start date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, organisation_id: int, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.organisation_id = organisation_id

    def clean_code(self) -> str:
        code = str(self.cleaned_data["code"]).strip()
        if Client.objects.filter(organisation_id=self.organisation_id, code=code).exists():
            raise forms.ValidationError("A client with this code already exists in the practice.")
        return code


def suggested_code(organisation_id: int, request_pk: int) -> str:
    """``R`` and the request's number (pseudonymous), with a suffix if that code is taken."""
    base = f"R{request_pk:04d}"
    taken = set(
        Client.objects.filter(organisation_id=organisation_id, code__startswith=base).values_list(
            "code", flat=True
        )
    )
    code, n = base, 1
    while code in taken:
        n += 1
        code = f"{base}-{n}"
    return code
