from django.contrib import admin, messages
from django.shortcuts import redirect, render
from django.urls import path, reverse
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from assessments import services
from assessments.library import LibraryError
from assessments.models import Assessment, Document, EvidenceLink, Framework, FrameworkNode, Response, Scale


def _load_shipped(request) -> None:
    try:
        results = services.load_shipped_libraries(user=request.user)
    except LibraryError as exc:
        messages.error(request, f"Nothing was loaded: {exc}")
        return
    for framework, created in results:
        messages.success(request, f"Loaded {framework}." if created else f"{framework} is up to date.")


@admin.action(description="Load or update the shipped libraries (KLOEs, Consumer Standards, Complaint Handling Code)")
def load_shipped_libraries(modeladmin, request, queryset):
    _load_shipped(request)


class ScaleInline(admin.TabularInline):
    model = Scale
    extra = 0
    fields = ["key", "name", "kind", "levels"]
    readonly_fields = fields
    can_delete = False


@admin.register(Framework)
class FrameworkAdmin(SimpleHistoryAdmin):
    list_display = ["name", "version", "kind", "edition", "effective_date", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "key"]
    readonly_fields = ["key", "version", "kind", "digest", "source_file", "created_by", "created_at"]
    inlines = [ScaleInline]
    actions = [load_shipped_libraries]
    change_list_template = "assessments/admin_framework_changelist.html"

    def get_urls(self):
        return [
            path(
                "load-libraries/",
                self.admin_site.admin_view(self.load_libraries_view),
                name="assessments_framework_load_libraries",
            ),
            *super().get_urls(),
        ]

    def load_libraries_view(self, request):
        """The same loading as the action, for when no framework is loaded yet to select."""
        if request.method == "POST":
            _load_shipped(request)
            return redirect(reverse("admin:assessments_framework_changelist"))
        return render(
            request,
            "assessments/admin_load_libraries.html",
            {**self.admin_site.each_context(request), "title": "Load the shipped libraries", "files": services.SHIPPED},
        )


@admin.register(FrameworkNode)
class FrameworkNodeAdmin(MPTTModelAdmin, SimpleHistoryAdmin):
    list_display = ["code", "title", "framework", "kind_label", "weight", "verified", "is_question"]
    list_filter = ["framework", "verified", "is_question"]
    search_fields = ["code", "title"]
    readonly_fields = ["framework", "is_question"]
    raw_id_fields = ["parent", "scale"]
    filter_horizontal = ["also_under"]


@admin.register(Assessment)
class AssessmentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "framework", "org_unit", "kind", "status", "assessed_on", "lead"]
    list_filter = ["status", "kind", "framework"]
    search_fields = ["title"]
    raw_id_fields = ["framework", "org_unit", "lead", "moderated_by", "signed_off_by"]
    filter_horizontal = ["shared_with"]


@admin.register(Response)
class ResponseAdmin(SimpleHistoryAdmin):
    list_display = ["node", "assessment", "level", "moderated_level", "target_level", "assigned_to", "due_date"]
    list_filter = ["assessment__status"]
    raw_id_fields = ["assessment", "node", "assigned_to", "answered_by", "moderated_by", "improvement_actions"]


@admin.register(Document)
class DocumentAdmin(SimpleHistoryAdmin):
    list_display = ["title", "assessment", "original_name", "size", "uploaded_by", "uploaded_at"]
    readonly_fields = ["file", "original_name", "content_type", "size", "sha256", "uploaded_by"]
    raw_id_fields = ["assessment"]


@admin.register(EvidenceLink)
class EvidenceLinkAdmin(SimpleHistoryAdmin):
    list_display = ["response", "kind", "note", "added_by", "added_at"]
    raw_id_fields = ["response", "document", "indicator", "plan_item", "other_response", "added_by"]
