from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef

from indicators import entry as entry_rules
from indicators import services
from indicators.formula import CODE_PATTERN
from indicators.models import Indicator, Tag
from plans.models import PlanItem
from pmf import spreadsheets
from pmf.forms import ScopedChoicesMixin
from pmf.models import OrgUnit, User
from pmf.widgets import PlainSelect

SORTS = {
    "code": ("code",),
    "-code": ("-code",),
    "title": ("title", "code"),
    "-title": ("-title", "code"),
    "status": ("latest_status", "code"),
    "-status": ("-latest_status", "code"),
    "updated": ("latest_updated_at", "code"),
    "-updated": ("-latest_updated_at", "code"),
    "period": ("latest_period", "code"),
    "-period": ("-latest_period", "code"),
}


class IndicatorFilterForm(forms.Form):
    q = forms.CharField(label="Code or title", required=False, max_length=100)
    unit = forms.TypedChoiceField(
        label="Organisation unit", required=False, coerce=int, empty_value=None, widget=PlainSelect
    )
    owner = forms.TypedChoiceField(label="Managed by", required=False, coerce=int, empty_value=None, widget=PlainSelect)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Indicator.Status.choices])
    frequency = forms.ChoiceField(
        label="Frequency", required=False, choices=[("", "Any frequency"), *Indicator.Frequency.choices]
    )
    source = forms.ChoiceField(label="Source", required=False, choices=[("", "Any source"), *Indicator.Source.choices])
    tag = forms.ModelChoiceField(
        label="Tag", required=False, queryset=Tag.objects.all(), empty_label="Any tag", to_field_name="name"
    )
    sort = forms.ChoiceField(
        label="Sort by",
        required=False,
        choices=[
            ("code", "Code"),
            ("title", "Title"),
            ("-status", "Status"),
            ("-updated", "Last update (newest)"),
            ("updated", "Last update (oldest)"),
            ("-period", "Latest period"),
        ],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Plain (value, label) pairs: a landlord has hundreds of units and owners, and model
        # instances for each option would cost more than the page of PIs itself.
        self.user = user
        self.fields["unit"].choices = [("", "Any unit")] + [
            (pk, f"{'— ' * level}{name}")
            for pk, name, level in OrgUnit.objects.visible_to(user)
            .order_by("tree_id", "lft")
            .values_list("pk", "name", "level")
        ]
        owners = User.objects.visible_to(user).filter(Exists(Indicator.objects.filter(owner=OuterRef("pk"))))
        self.fields["owner"].choices = [("", "Anyone")] + list(owners.order_by("name").values_list("pk", "name"))

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "code"

    def filter(self, queryset):
        data = self.cleaned_data
        if data.get("q"):
            queryset = queryset.search(data["q"])
        if data.get("unit"):
            unit = OrgUnit.objects.visible_to(self.user).filter(pk=data["unit"]).first()
            queryset = queryset.in_unit(unit) if unit else queryset.none()
        if data.get("owner"):
            queryset = queryset.filter(owner_id=data["owner"])
        if data.get("status"):
            queryset = queryset.filter(latest_status=data["status"])
        if data.get("frequency"):
            queryset = queryset.filter(frequency=data["frequency"])
        if data.get("source"):
            queryset = queryset.filter(source=data["source"])
        if data.get("tag"):
            queryset = queryset.filter(tags=data["tag"])
        return queryset.order_by(*SORTS[data.get("sort") or "code"])


class IndicatorForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("owner", "updater")
    tag_names = forms.CharField(label="Tags", required=False, max_length=500, help_text="Separate tags with commas.")

    class Meta:
        model = Indicator
        fields = [
            "code",
            "title",
            "description",
            "definition",
            "guidance",
            "unit",
            "decimals",
            "polarity",
            "frequency",
            "ytd_rule",
            "tolerance_kind",
            "tolerance",
            "min_value",
            "max_value",
            "org_unit",
            "owner",
            "updater",
            "source",
            "formula",
            "proxy_for",
            "actions",
            "active",
        ]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "definition": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["proxy_for"].queryset = Indicator.objects.visible_to(user).exclude(pk=self.instance.pk)
        self.fields["actions"].queryset = (
            PlanItem.objects.visible_to(user).filter(kind=PlanItem.Kind.ACTION).order_by("tree_id", "lft")
        )
        self.fields["actions"].help_text = "Plan actions that improve this PI (hold Ctrl or Cmd to choose several)."
        if self.instance.pk:
            self.fields["tag_names"].initial = ", ".join(tag.name for tag in self.instance.tags.all())

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if not CODE_PATTERN.match(code):
            raise ValidationError("Use letters, digits and underscores, starting with a letter (e.g. INC01).")
        return code

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("code") and cleaned.get("formula"):
            others = dict(
                Indicator.objects.exclude(formula="").exclude(pk=self.instance.pk).values_list("code", "formula")
            )
            known = set(Indicator.objects.exclude(pk=self.instance.pk).values_list("code", flat=True))
            try:
                services.validate_formula(
                    code=cleaned["code"], formula=cleaned["formula"].strip(), known_codes=known, other_formulas=others
                )
            except ValidationError as exc:
                self.add_error("formula", exc.message_dict["formula"])
        return cleaned

    def save(self, commit=True):
        indicator = super().save(commit=commit)
        names = {name.strip()[:60] for name in self.cleaned_data["tag_names"].split(",") if name.strip()}
        indicator.tags.set([Tag.objects.get_or_create(name=name)[0] for name in sorted(names)])
        return indicator


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label="What the file holds", choices=[("values", "Values and targets"), ("definitions", "PI definitions")]
    )
    file = forms.FileField(label="CSV or Excel (.xlsx) file")
    commit = forms.BooleanField(
        label="Save the rows if there are no errors (leave unticked for a dry run)", required=False
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        spreadsheets.check_upload(upload)
        return upload


class TargetForm(forms.Form):
    effective_from = forms.DateField(label="From period (first day)", widget=forms.DateInput(attrs={"type": "date"}))
    target = forms.CharField(label="Target", required=False, max_length=40)
    tolerance_kind = forms.ChoiceField(label="Tolerance is", choices=Indicator.ToleranceKind.choices)
    tolerance = forms.DecimalField(label="Tolerance", min_value=0, max_digits=12, decimal_places=4)

    def __init__(self, *args, indicator, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicator = indicator

    def clean_target(self):
        try:
            target = entry_rules.parse_number(self.cleaned_data["target"], field="target", unit=self.indicator.unit)
        except ValidationError as exc:
            raise ValidationError(exc.message_dict["target"]) from None
        errors = entry_rules.target_errors(entry_rules.Definition.of(self.indicator), target)
        if errors:
            raise ValidationError(errors["target"])
        return target

    def clean_effective_from(self):
        day = self.cleaned_data["effective_from"]
        errors = entry_rules.period_errors(entry_rules.Definition.of(self.indicator), day)
        if errors:
            raise ValidationError(errors["period"])
        return day
