from django.apps import AppConfig


class ScrutinyConfig(AppConfig):
    name = "scrutiny"
    verbose_name = "Scrutiny: referrals and performance clinics"

    def ready(self):
        from pmf.registry import (
            BRIEFING_SECTIONS,
            CHASE_SOURCES,
            DEMO_SEEDERS,
            MY_WORK,
            NAVIGATION,
            REPORT_SECTIONS,
            ChaseSource,
            DemoSeeder,
            NavItem,
            WorkSection,
        )
        from scrutiny import chase, panels, report_sections
        from scrutiny.demo import seed_scrutiny

        NAVIGATION.register(NavItem("Scrutiny", "referral-mine", 45))
        section = WorkSection("Referrals", "scrutiny/mywork_referrals.html", panels.my_referrals, 27)
        MY_WORK.register(section)
        BRIEFING_SECTIONS.register(section)
        REPORT_SECTIONS.register(report_sections.SECTION)
        DEMO_SEEDERS.register(DemoSeeder(85, seed_scrutiny))
        CHASE_SOURCES.register(
            ChaseSource(chase.KIND, chase.LABEL, chase.BEHIND_LABEL, items=chase.answers_due, order=45)
        )
