from django.apps import AppConfig


class PlansConfig(AppConfig):
    name = "plans"
    verbose_name = "Plans"

    def ready(self):
        from plans.demo import seed_plans
        from plans.mywork import my_actions
        from pmf.registry import NavItem, WorkSection, register_demo_seeder, register_my_work, register_nav

        register_nav(NavItem("Plans", "plan-tree", order=10))
        register_nav(NavItem("Plan settings", "plan-settings", order=95, roles=frozenset({"admin"})))
        register_my_work(
            WorkSection(title="My actions", template="plans/mywork_actions.html", items=my_actions, order=10)
        )
        register_demo_seeder(10, seed_plans)
