from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from cycle.models import CalendarOverride, DigestPreference, ReportingCalendar
from pmf.models import OrgUnit


class OverrideInline(admin.TabularInline):
    model = CalendarOverride
    extra = 1
    fields = ["month", "step", "date", "note"]


@admin.register(ReportingCalendar)
class ReportingCalendarAdmin(SimpleHistoryAdmin):
    list_display = ["org_unit", "values_due_day", "approvals_due_day", "scorecards_day", "lock_values"]
    list_select_related = ["org_unit"]
    inlines = [OverrideInline]

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "org_unit":
            kwargs["queryset"] = OrgUnit.objects.filter(
                kind__in=[OrgUnit.Kind.GROUP, OrgUnit.Kind.ORGANISATION]
            ).order_by("tree_id", "lft")
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    fieldsets = [
        (None, {"fields": ["org_unit"]}),
        (
            "Days of the month after the reporting month",
            {
                "fields": [
                    "values_due_day",
                    "approvals_due_day",
                    "scorecards_day",
                    "executive_review_day",
                    "service_review_day",
                ]
            },
        ),
        ("Period lock", {"fields": ["lock_values", "lock_day"]}),
        (
            "Reminders and escalation",
            {
                "fields": [
                    "reminder_lead_days",
                    "escalate_manager_after_days",
                    "escalate_director_after_days",
                    "action_due_soon_days",
                    "action_stale_days",
                ]
            },
        ),
    ]


@admin.register(DigestPreference)
class DigestPreferenceAdmin(SimpleHistoryAdmin):
    list_display = ["user", "frequency", "weekday"]
    list_select_related = ["user"]
