"""System administrators manage users and reference data here. People and cases are deliberately not
registered: administrators do not read case data."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from safeguarding.organisations.models import Agency, LocalAuthority, User


@admin.register(LocalAuthority)
class LocalAuthorityAdmin(admin.ModelAdmin):
    list_display = ["name", "gss_code"]
    search_fields = ["name", "gss_code"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name", "agency_type", "local_authority"]
    list_filter = ["agency_type", "local_authority"]
    search_fields = ["name"]
    readonly_fields = ["group"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "agency", "is_active", "is_staff"]
    list_filter = ["agency__local_authority", "agency", "groups", "is_active"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        ("Agency", {"fields": ("agency", "job_title", "manager")}),
    )
