from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.models import Group
from mptt.admin import MPTTModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from pmf.models import OrgUnit, User


@admin.register(OrgUnit)
class OrgUnitAdmin(SimpleHistoryAdmin, MPTTModelAdmin):
    list_display = ["name", "code", "kind", "active"]
    list_filter = ["kind", "active"]
    search_fields = ["name", "code"]
    mptt_level_indent = 20


@admin.register(User)
class PersonAdmin(SimpleHistoryAdmin, UserAdmin):
    ordering = ["name"]
    list_display = ["username", "name", "email", "role", "org_unit", "is_active"]
    list_filter = ["role", "is_active", "org_unit__tree_id"]
    search_fields = ["username", "name", "email", "job_title"]
    list_select_related = ["org_unit"]
    autocomplete_fields = ["org_unit", "line_manager"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("Person", {"fields": ["name", "email", "job_title", "org_unit", "line_manager", "role"]}),
        ("Status", {"fields": ["is_active", "is_staff", "is_superuser", "last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "name", "email", "role", "org_unit", "password1", "password2"],
            },
        ),
    ]
    readonly_fields = ["last_login", "date_joined"]


# Access follows the four roles on each person, not permission groups.
admin.site.unregister(Group)
