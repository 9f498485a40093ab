"""Research projects and their export log in the Django admin (the organisation's
pseudonymisation key is deliberately not registered: it is never shown)."""

from django.contrib import admin

from alliance.practice.studies.models import ProjectExport, ResearchProject


@admin.register(ResearchProject)
class ResearchProjectAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("name", "title", "organisation", "period_start", "period_end", "created")
    list_filter = ("organisation",)
    raw_id_fields = ("created_by",)

    def get_readonly_fields(self, request, obj=None):  # type: ignore[no-untyped-def]
        return ("name", "organisation") if obj is not None else ()  # part of the pseudonyms


@admin.register(ProjectExport)
class ProjectExportAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    list_display = ("project", "format", "via", "exported_by", "clients", "responses", "created")
    readonly_fields = ("project", "exported_by", "via", "format", "clients", "responses")

    def has_add_permission(self, request):  # type: ignore[no-untyped-def]
        return False
