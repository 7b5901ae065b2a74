from django.contrib import admin


class OperatorAdminSite(admin.AdminSite):
    """Django's admin site, for the platform operator (a superuser) only: it edits rows of every
    organisation and raw fields no page checks, so a partner's performance team (role admin) works
    through the product's own pages, which keep them to their unit's subtree."""

    def has_permission(self, request):
        return bool(request.user.is_active and request.user.is_superuser)
