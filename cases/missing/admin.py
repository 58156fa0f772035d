"""The authorities' repeat-missing thresholds are reference data, set here by system administrators (no case
data is shown)."""

from django.contrib import admin

from cases.missing.models import MissingSettings


@admin.register(MissingSettings)
class MissingSettingsAdmin(admin.ModelAdmin):
    list_display = ["local_authority", "repeat_episodes", "repeat_window_days"]
    list_select_related = ["local_authority"]
