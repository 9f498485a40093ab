"""Who may see and manage process studies (404 for everyone else, never 403).

* Researchers and clinical leads of the organisation manage its studies: they see every
  participant (by client code only: no names, contact details or scores), every interview
  with its notes and transcript, and they enrol clients, mark sessions recorded and complete
  or cancel interviews.
* A practitioner (or supervisor, or lead who is also a practitioner) whose own clients take
  part sees those studies, limited to their own clients (through
  ``care.scoping.visible_clients``) and to the interviews with themselves; never another
  practitioner's clients, never the client interviews (clients speak about their practitioner
  in them), never notes or transcripts.
"""

from __future__ import annotations

from django.contrib.auth.base_user import AbstractBaseUser
from django.contrib.auth.models import AnonymousUser
from django.db.models import Q, QuerySet
from django.http import Http404

from alliance.practice.accounts.models import Membership
from alliance.practice.care.scoping import CLINICAL_ROLES, visible_clients
from alliance.practice.process_studies.models import Interview, Participant, ProcessStudy

MANAGER_ROLES = (Membership.Role.RESEARCHER, Membership.Role.LEAD)
User = AbstractBaseUser | AnonymousUser


def managed_organisations(user: User) -> QuerySet[Membership]:
    return Membership.objects.filter(user=user, role__in=MANAGER_ROLES).values("organisation")


def own_participants(user: User) -> QuerySet[Participant]:
    """Participants whose practitioner is this user and whose client the user still sees."""
    if not user.is_authenticated:
        return Participant.objects.none()
    member_orgs = Membership.objects.filter(user=user, role__in=CLINICAL_ROLES).values(
        "organisation"
    )
    return Participant.objects.filter(
        practitioner=user,
        study__organisation__in=member_orgs,
        episode__client__in=visible_clients(user),
    )


def visible_studies(user: User) -> QuerySet[ProcessStudy]:
    if not user.is_authenticated:
        return ProcessStudy.objects.none()
    involved = own_participants(user).values("study")
    return ProcessStudy.objects.filter(
        Q(organisation__in=managed_organisations(user)) | Q(pk__in=involved)
    )


def can_manage(user: User, study: ProcessStudy) -> bool:
    return Membership.objects.filter(
        user=user, organisation_id=study.organisation_id, role__in=MANAGER_ROLES
    ).exists()


def get_study(user: User, pk: int) -> tuple[ProcessStudy, bool]:
    """The study and whether the user manages it, or 404."""
    if not user.is_authenticated:
        raise Http404("No such study")
    study = (
        ProcessStudy.objects.filter(pk=pk)
        .select_related("organisation")
        .filter(
            Q(organisation__in=managed_organisations(user))
            | Q(pk__in=own_participants(user).values("study"))
        )
        .first()
    )
    if study is None:
        raise Http404("No such study")
    return study, can_manage(user, study)


def get_managed_study(user: User, pk: int) -> ProcessStudy:
    study = ProcessStudy.objects.filter(pk=pk, organisation__in=managed_organisations(user)).first()
    if study is None:
        raise Http404("No such study")
    return study


def get_managed_interview(user: User, pk: int) -> Interview:
    interview = (
        Interview.objects.filter(
            pk=pk, recorded_session__study__organisation__in=managed_organisations(user)
        )
        .select_related(
            "recorded_session__study",
            "recorded_session__session",
            "recorded_session__participant__episode__client",
            "recorded_session__participant__practitioner",
        )
        .first()
    )
    if interview is None:
        raise Http404("No such interview")
    return interview


def own_interviews(user: User) -> QuerySet[Interview]:
    """The interviews with this practitioner (practitioner role, their own participants)."""
    return Interview.objects.filter(
        role=Interview.Role.PRACTITIONER,
        recorded_session__participant__in=own_participants(user),
    )
