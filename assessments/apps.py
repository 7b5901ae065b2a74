from django.apps import AppConfig
from django.core import checks


class AssessmentsConfig(AppConfig):
    name = "assessments"
    verbose_name = "Self-assessments"

    def ready(self):
        from assessments import chase, panels
        from assessments.demo import seed_assessments
        from pmf.registry import (
            CHASE_SOURCES,
            DEMO_SEEDERS,
            LINKED_PANELS,
            MY_WORK,
            NAVIGATION,
            ChaseSource,
            DemoSeeder,
            LinkedPanel,
            NavItem,
            WorkSection,
        )

        NAVIGATION.register(NavItem("Assessments", "assessment-list", 40))
        MY_WORK.register(
            WorkSection("Questions to answer", "assessments/mywork_questions.html", panels.my_questions, 40)
        )
        LINKED_PANELS.register(
            LinkedPanel("Self-assessment questions", "assessments/linked_panel.html", panels.linked_responses, 40)
        )
        DEMO_SEEDERS.register(DemoSeeder(40, seed_assessments))
        from assessments import report_sections

        report_sections.register()
        CHASE_SOURCES.register(
            ChaseSource(chase.KIND, chase.LABEL, chase.BEHIND_LABEL, items=chase.responses_due, order=40)
        )
        checks.register(check_evidence_types, checks.Tags.compatibility)


def check_evidence_types(app_configs, **kwargs):
    """Every extension in EVIDENCE_FILE_TYPES must be one whose content the upload check knows."""
    from django.conf import settings

    from assessments.evidence import FILE_TYPES

    unknown = [kind for kind in settings.EVIDENCE_FILE_TYPES if kind not in FILE_TYPES]
    if not unknown:
        return []
    return [
        checks.Error(
            f"EVIDENCE_FILE_TYPES lists {', '.join(unknown)}, whose content cannot be checked.",
            hint=f"Use only: {', '.join(sorted(FILE_TYPES))}.",
            id="assessments.E001",
        )
    ]
