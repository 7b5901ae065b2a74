from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from reports.models import ReportDefinition


@admin.register(ReportDefinition)
class ReportDefinitionAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "scope", "org_unit", "schedule", "active"]
    list_filter = ["kind", "schedule", "active"]
    list_select_related = ["org_unit"]
    search_fields = ["name"]
    raw_id_fields = ["org_unit", "created_by"]
    filter_horizontal = ["recipients"]
