from django.contrib import admin

from alliance.practice.accounts.models import Membership, Organisation


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 0
    raw_id_fields = ("user", "supervisor")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "is_demo")
    prepopulated_fields = {"slug": ("name",)}
    inlines = [MembershipInline]
