from django.contrib import admin

from alliance.practice.collect.models import Invitation


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = (
        "client",
        "instrument_id",
        "respondent",
        "created",
        "expires_at",
        "completed_at",
    )
    list_select_related = ("client",)
    exclude = ("token_hash",)
    readonly_fields = ("client", "episode", "session", "caregiver", "created_by")
