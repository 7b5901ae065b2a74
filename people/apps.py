from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "people"
    verbose_name = "1-2-1s and appraisals"

    def ready(self):
        from people import sources
        from people.demo import seed_people
        from people.panels import meetings_due, personal_objective_counts
        from pmf.access import can_write
        from pmf.registry import (
            DEMO_SEEDERS,
            LINKED_PANELS,
            MY_WORK,
            NAVIGATION,
            DemoSeeder,
            LinkedPanel,
            NavItem,
            WorkSection,
        )

        sources.register()
        NAVIGATION.register(NavItem("1-2-1s", "people-home", order=60, visible=can_write))
        MY_WORK.register(
            WorkSection(title="1-2-1s due", template="people/mywork_due.html", items=meetings_due, order=15)
        )
        LINKED_PANELS.register(
            LinkedPanel(
                title="Personal objectives",
                template="people/linked_panel.html",
                items=personal_objective_counts,
                order=90,
            )
        )
        DEMO_SEEDERS.register(DemoSeeder(80, seed_people))
