from django import forms
from django.core.exceptions import ValidationError

from plans import status as rules
from plans.models import Milestone, PlanItem, PlanSettings, Status
from pmf import spreadsheets
from pmf.forms import ScopedChoicesMixin
from pmf.models import OrgUnit, User
from pmf.widgets import PlainSelect

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class PlanItemForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("managed_by", "assigned_to")
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = PlanItem
        fields = [
            "kind",
            "code",
            "title",
            "description",
            "expected_outcome",
            "org_unit",
            "managed_by",
            "assigned_to",
            "planned_start",
            "actual_start",
            "due_date",
            "weight",
            "priority",
            "budget",
            "cost_to_date",
            "expected_cost",
            "supports",
        ]
        widgets = {
            "planned_start": DATE,
            "actual_start": DATE,
            "due_date": DATE,
            "description": forms.Textarea(attrs={"rows": 3}),
            "expected_outcome": forms.Textarea(attrs={"rows": 2}),
        }

    def __init__(self, *args, user, parent=None, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.parent = parent if not self.instance.pk else self.instance.parent
        self.instance.parent = self.parent
        objectives = PlanItem.objects.visible_to(user).filter(kind=PlanItem.Kind.OBJECTIVE, active=True)
        if self.instance.pk:
            objectives = objectives.exclude(pk=self.instance.pk)
        self.fields["supports"].queryset = objectives.order_by("tree_id", "lft")
        self.fields["supports"].help_text = "Objectives in other plans this item serves (hold Ctrl to pick several)."
        if self.instance.pk:
            # the version the editor loaded; saving checks nobody saved in between
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = "Reload the page: the form lost track of the version."
            if not self.is_bound:
                self.initial["version"] = self.instance.version
        if not self.instance.pk and parent is not None:
            self.initial.setdefault("org_unit", parent.org_unit_id)
            self.initial.setdefault(
                "kind", PlanItem.Kind.ACTION if parent.kind in ("objective", "action") else PlanItem.Kind.OBJECTIVE
            )


class MoveForm(forms.Form):
    parent_code = forms.CharField(
        label="New parent code",
        max_length=40,
        required=False,
        help_text="The code of the item to move under; leave blank to make it a top-level item.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, item: PlanItem, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.item = item
        self.user = user
        self.initial.setdefault("version", item.version)

    def clean_parent_code(self):
        code = self.cleaned_data["parent_code"].strip()
        if not code:
            return None
        parent = PlanItem.objects.editable_by(self.user).filter(code=code).first()
        if parent is None:
            raise ValidationError(f'No item you can edit has the code "{code}".')
        if parent.pk == self.item.pk or parent.is_descendant_of(self.item):
            raise ValidationError(
                f"{self.item.code} cannot move under itself or one of its own items "
                f"({parent.code}); that would make a loop."
            )
        return parent


OUTCOMES = [
    (rules.IN_PROGRESS, "Still in progress"),
    (rules.COMPLETED, "Completed"),
    (rules.CANCELLED, "Cancelled"),
]


class ProgressForm(forms.Form):
    progress = forms.IntegerField(
        label="Progress %",
        min_value=0,
        max_value=100,
        error_messages={
            "min_value": "Progress must be between 0 and 100.",
            "max_value": "Progress must be between 0 and 100.",
        },
    )
    outcome = forms.ChoiceField(label="Status", choices=OUTCOMES, initial=rules.IN_PROGRESS)
    note = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="What has happened since the last update, and what happens next.",
    )

    def __init__(self, *args, action: PlanItem, derived: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.initial.setdefault("progress", action.progress)
        if derived:
            self.fields["progress"].disabled = True
            self.fields["progress"].help_text = "Worked out from the milestones and sub-actions."


class MilestoneForm(forms.ModelForm):
    class Meta:
        model = Milestone
        fields = ["title", "due_date", "weight", "completed_on"]
        widgets = {"due_date": DATE, "completed_on": DATE}
        error_messages = {
            "weight": {"min_value": "The weight must be at least 1; a milestone of weight 0 would count for nothing."}
        }


DUE_CHOICES = [("", "Any time"), ("overdue", "Overdue"), ("next30", "Due in the next 30 days")]


class TreeFilterForm(forms.Form):
    FILTERS = ("status", "unit", "person", "due", "archived")

    status = forms.ChoiceField(choices=[("", "Any status"), *Status.choices], required=False)
    unit = forms.ModelChoiceField(
        queryset=OrgUnit.objects.none(),
        required=False,
        label="Organisation unit",
        empty_label="Any unit",
        widget=PlainSelect,
    )
    person = forms.ModelChoiceField(
        queryset=User.objects.none(), required=False, label="Person", empty_label="Anyone", widget=PlainSelect
    )
    due = forms.ChoiceField(choices=DUE_CHOICES, required=False, label="Due")
    archived = forms.BooleanField(required=False, label="Archived items only")
    root = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = OrgUnit.objects.visible_to(user).order_by("tree_id", "lft")
        self.fields["person"].queryset = User.objects.visible_to(user).filter(is_active=True).order_by("name")
        # The options as plain pairs (a large landlord has hundreds of units and people); the fields
        # still validate a choice against their querysets.
        self.fields["unit"].widget.choices = [("", "Any unit"), *self.fields["unit"].queryset.values_list("pk", "name")]
        self.fields["person"].widget.choices = [
            ("", "Anyone"),
            *(
                (pk, name or username)
                for pk, name, username in self.fields["person"].queryset.values_list("pk", "name", "username")
            ),
        ]

    @property
    def filters(self) -> dict:
        """The filters chosen, as keyword arguments of PlanItemQuerySet.matching (empty when none
        or when the form is not valid)."""
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {name: data[name] for name in self.FILTERS if data.get(name)}

    @property
    def filtering(self) -> bool:
        return bool(self.filters)


class NewActionForm(ScopedChoicesMixin, forms.Form):
    """A new plan action under an objective the person may edit, made from another module's page
    (a risk's mitigating action, an action agreed at a performance clinic)."""

    person_fields = ("assigned_to",)

    objective = forms.ModelChoiceField(
        queryset=PlanItem.objects.none(), label="Objective it serves", empty_label="Choose an objective…"
    )
    code = forms.CharField(max_length=40, help_text='A new plan item code, e.g. "HS 1.9".')
    title = forms.CharField(max_length=300)
    due_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"), required=False)
    assigned_to = forms.ModelChoiceField(queryset=User.objects.none(), required=False, empty_label="Nobody yet")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["objective"].queryset = (
            PlanItem.objects.editable_by(self.user)
            .filter(kind=PlanItem.Kind.OBJECTIVE, active=True)
            .order_by("tree_id", "lft")
        )


class ImportForm(forms.Form):
    file = forms.FileField(
        label="CSV or Excel (.xlsx) file",
        help_text="One row per item. Columns: code, parent_code, kind, title, description, "
        "expected_outcome, org_unit, managed_by, assigned_to, planned_start, "
        "due_date, weight, priority, budget.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        spreadsheets.check_upload(upload)
        return upload


class PlanSettingsForm(forms.ModelForm):
    class Meta:
        model = PlanSettings
        fields = ["check_progress_tolerance"]
