from django.apps import AppConfig


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Organisation and people"

    def ready(self):
        from pmf.access import is_admin
        from pmf.registry import MY_WORK, NAVIGATION, NavItem, WorkSection

        NAVIGATION.register(NavItem("My work", "home", order=0))
        NAVIGATION.register(NavItem("Organisation", "orgunit-list", order=80))
        NAVIGATION.register(NavItem("People", "person-list", order=85))
        NAVIGATION.register(NavItem("Administration", "admin:index", order=99, visible=is_admin))
        MY_WORK.register(
            WorkSection(
                title="My direct reports",
                template="pmf/mywork_reports.html",
                items=lambda user: list(user.direct_reports.filter(is_active=True).select_related("org_unit")),
                order=90,
            )
        )
