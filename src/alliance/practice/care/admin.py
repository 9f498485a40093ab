from django.contrib import admin

from alliance.practice.care.models import (
    Assignment,
    Caregiver,
    Client,
    Episode,
    MeasurePlanEntry,
    Session,
)


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    raw_id_fields = ("practitioner",)


class CaregiverInline(admin.TabularInline):
    model = Caregiver
    extra = 0


@admin.register(Client)
class ClientAdmin(admin.ModelAdmin):
    list_display = ("code", "organisation", "preferred_language", "is_active")
    list_filter = ("organisation", "is_active")
    search_fields = ("code",)
    inlines = [AssignmentInline, CaregiverInline]


class SessionInline(admin.TabularInline):
    model = Session
    extra = 0


class PlanInline(admin.TabularInline):
    model = MeasurePlanEntry
    extra = 0


@admin.register(Episode)
class EpisodeAdmin(admin.ModelAdmin):
    list_display = ("client", "kind", "phase", "started", "ended")
    list_select_related = ("client",)
    raw_id_fields = ("client",)
    inlines = [PlanInline, SessionInline]
