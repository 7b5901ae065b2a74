"""Forms of Report Central: a definition (every choice offered only from what the person may
see, and checked again on the server) and the period of a run."""

from django import forms

from pmf.forms import ScopedChoicesMixin, unit_label
from pmf.models import OrgUnit
from reports import params as contract
from reports.assemble import default_sections, offered_sections
from reports.models import ReportDefinition
from scorecards.forms import PeriodField

WHOLE_ORGANISATION = "unit:"

# Exception rule settings: key -> (label, kind, help text). Ints are "periods" or "levels", 0 = off.
EXCEPTION_FIELDS = {
    "red": ("Red PIs", bool, "PIs whose status is red in the period."),
    "amber_periods": ("Amber PIs, periods running", int, "Amber this many periods running; 0 turns it off."),
    "long_trend_worse": ("Long trend getting worse", bool, ""),
    "missed_periods": ("Target missed, periods running", int, "Missed in each of the last N periods; 0 is off."),
    "overdue_actions": ("Overdue actions", bool, ""),
    "check_progress_actions": ("Actions marked check progress", bool, ""),
    "risks_above_appetite": ("Risks above appetite", bool, ""),
    "risks_rising": ("Risks rising", bool, ""),
    "assessment_gap_levels": ("Assessment gaps of this many levels or more", int, "0 turns it off."),
}


def scope_choices(user) -> list:
    """Every scope USER may report on, grouped by kind, as ("kind:id", label) choices: one query
    per kind."""
    from assessments.models import Assessment
    from plans.models import PlanItem
    from risks.models import RiskCategory
    from scorecards.models import Scorecard, Snapshot

    units = OrgUnit.objects.visible_to(user).filter(active=True).order_by("tree_id", "lft")
    groups = [
        (
            contract.SCOPES["unit"],
            [(WHOLE_ORGANISATION, "Whole organisation")] + [(f"unit:{unit.pk}", unit_label(unit)) for unit in units],
        ),
        (
            contract.SCOPES["scorecard"],
            [
                (f"scorecard:{pk}", title)
                for pk, title in Scorecard.objects.visible_to(user)
                .filter(active=True)
                .order_by("title")
                .values_list("pk", "title")
            ],
        ),
        (
            contract.SCOPES["snapshot"],
            [
                (f"snapshot:{pk}", name)
                for pk, name in Snapshot.objects.visible_to(user).order_by("name").values_list("pk", "name")
            ],
        ),
        (
            contract.SCOPES["plan"],
            [
                (f"plan:{pk}", f"{code} {title}")
                for pk, code, title in PlanItem.objects.visible_to(user)
                .filter(kind__in=("strategy", "plan"), active=True)
                .order_by("tree_id", "lft")
                .values_list("pk", "code", "title")
            ],
        ),
        (
            contract.SCOPES["risk-category"],
            [
                (f"risk-category:{pk}", name)
                for pk, name in RiskCategory.objects.filter(active=True).values_list("pk", "name")
            ],
        ),
        (
            contract.SCOPES["assessment"],
            [
                (f"assessment:{pk}", title)
                for pk, title in Assessment.objects.visible_to(user).order_by("title").values_list("pk", "title")
            ],
        ),
    ]
    return [(label, options) for label, options in groups if options]


def scope_value(definition: ReportDefinition) -> str:
    return f"{definition.scope}:{definition.scope_id if definition.scope_id is not None else ''}"


class DefinitionForm(ScopedChoicesMixin, forms.ModelForm):
    """A report definition. The sections offered follow the kind chosen (the page reloads them
    when the kind changes); the scope, unit and recipients offered are those the person may see
    or pick, and a posted value outside them is refused."""

    unit_fields = ("org_unit",)
    person_fields = ("recipients",)

    scope_choice = forms.ChoiceField(label="About", help_text="What the report covers.")
    section_keys = forms.MultipleChoiceField(
        label="Sections", widget=forms.CheckboxSelectMultiple, help_text="In the order the report prints them."
    )

    class Meta:
        model = ReportDefinition
        fields = [
            "name",
            "kind",
            "audience",
            "marking",
            "org_unit",
            "charts",
            "commentary",
            "last_year",
            "schedule",
            "schedule_day",
            "recipients",
            "active",
        ]
        widgets = {"recipients": forms.SelectMultiple(attrs={"size": 8})}
        labels = {
            "org_unit": "Owner unit",
            "charts": "Charts",
            "commentary": "Owners' commentary",
            "active": "In use (listed in Report Central and run on its schedule)",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope_choice"].choices = scope_choices(self.user)
        self.fields["org_unit"].help_text = "Managers of this unit may change the definition; its people may run it."
        kind = self.kind()
        self.fields["section_keys"].choices = [(section.key, section.label) for section in offered_sections(kind)]
        if self.instance.pk:
            self.fields["scope_choice"].initial = scope_value(self.instance)
            self.fields["section_keys"].initial = list(self.instance.sections)
        else:
            self.fields["section_keys"].initial = list(default_sections(kind))
            self.fields["scope_choice"].initial = WHOLE_ORGANISATION
        settings = self.instance.exception_settings
        for key, (label, kind_of, help_text) in EXCEPTION_FIELDS.items():
            if kind_of is bool:
                field = forms.BooleanField(label=label, required=False, help_text=help_text)
            else:
                field = forms.IntegerField(label=label, min_value=0, max_value=24, help_text=help_text)
            field.initial = settings.get(key, contract.DEFAULT_EXCEPTION_SETTINGS[key])
            self.fields[f"ex_{key}"] = field

    def kind(self) -> str:
        """The kind the form is for: as posted (or asked for by the reload), else the saved one."""
        source = self.data if self.is_bound else self.initial
        kind = source.get("kind") or self.instance.kind or "board"
        return kind if kind in contract.KINDS else "board"

    @property
    def kind_label(self) -> str:
        return contract.KINDS[self.kind()].lower()

    def exception_fields(self):
        return [self[f"ex_{key}"] for key in EXCEPTION_FIELDS]

    def main_fields(self):
        return [self[name] for name in ("name", "kind", "scope_choice", "audience", "marking", "org_unit")]

    def clean_scope_choice(self):
        kind, _, pk = self.cleaned_data["scope_choice"].partition(":")
        return kind, int(pk) if pk else None

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("schedule") and not cleaned.get("schedule_day"):
            self.add_error("schedule_day", "Give the day of the month the scheduled run is made.")
        return cleaned

    def save(self, commit=True):
        definition = super().save(commit=False)
        definition.scope, definition.scope_id = self.cleaned_data["scope_choice"]
        offered = [key for key, _ in self.fields["section_keys"].choices]
        chosen = set(self.cleaned_data["section_keys"])
        definition.sections = [key for key in offered if key in chosen]
        definition.exceptions = {key: self.cleaned_data[f"ex_{key}"] for key in EXCEPTION_FIELDS}
        return definition


class RunForm(forms.Form):
    period = PeriodField(label="Month reported on", help_text="As YYYY-MM; the latest issued month unless changed.")
