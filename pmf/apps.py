from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps


class PmfAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin with the operator's site (pmf/adminsite.py)."""

    default = False  # PmfConfig stays this module's default
    default_site = "pmf.adminsite.OperatorAdminSite"


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Organisation and people"

    def ready(self):
        from pmf import lookups
        from pmf.access import covers_everything
        from pmf.registry import MY_WORK, NAVIGATION, NavItem, WorkSection

        lookups.register()
        NAVIGATION.register(NavItem("My work", "home", order=0))
        NAVIGATION.register(NavItem("Organisation", "orgunit-list", order=80))
        NAVIGATION.register(NavItem("People", "person-list", order=85))
        NAVIGATION.register(NavItem("Administration", "admin:index", order=99, visible=covers_everything))
        MY_WORK.register(
            WorkSection(
                title="My direct reports",
                template="pmf/mywork_reports.html",
                items=lambda user: list(user.direct_reports.filter(is_active=True).select_related("org_unit")),
                order=90,
            )
        )
