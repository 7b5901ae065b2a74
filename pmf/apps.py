from django.apps import AppConfig


class PmfConfig(AppConfig):
    name = "pmf"
    verbose_name = "Organisation and people"

    def ready(self):
        from pmf.registry import NavItem, WorkSection, register_my_work, register_nav

        register_nav(NavItem("My work", "home", order=0))
        register_nav(NavItem("Organisation", "orgunit-list", order=80))
        register_nav(NavItem("People", "person-list", order=85))
        register_nav(NavItem("Administration", "admin:index", order=99, roles=frozenset({"admin"})))
        register_my_work(
            WorkSection(
                title="My direct reports",
                template="pmf/mywork_reports.html",
                items=lambda user: list(user.direct_reports.filter(is_active=True).select_related("org_unit")),
                order=90,
            )
        )
