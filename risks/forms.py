import re

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef, Q
from django.forms.models import construct_instance
from django.forms.utils import flatatt
from django.utils import timezone
from django.utils.html import format_html, format_html_join

from indicators.models import Indicator
from plans.forms import NewActionForm
from plans.models import PlanItem
from pmf import spreadsheets
from pmf.forms import ScopedChoicesMixin, unit_label
from pmf.models import OrgUnit, User
from risks import status as rules
from risks.models import Control, Risk, RiskCategory

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAGE_SIZE = 50

# Sort whitelist: the key in the address -> the ORDER BY it stands for.
SORTS = {
    "-score": ("-current_score", "code"),
    "score": ("current_score", "code"),
    "code": ("code",),
    "-code": ("-code",),
    "title": ("title", "code"),
    "next_review": ("next_review_date", "code"),
    "-next_review": ("-next_review_date", "code"),
    "category": ("category__order", "category__name", "code"),
    "-inherent": ("-inherent_score", "code"),
    "-target": ("-target_score", "code"),
}
SORT_CHOICES = [
    ("-score", "Current score (highest first)"),
    ("score", "Current score (lowest first)"),
    ("code", "Code"),
    ("title", "Title"),
    ("next_review", "Next review (soonest first)"),
    ("category", "Category"),
    ("-inherent", "Inherent score (highest first)"),
    ("-target", "Target score (highest first)"),
]
STATUS_CHOICES = [("open", "Open"), ("closed", "Closed"), ("all", "Open and closed")]
CODES = re.compile(r"[,;\n]+")


def split_codes(text: str) -> list[str]:
    """Codes typed as a list separated by commas, semicolons or new lines (codes hold spaces)."""
    return list(dict.fromkeys(code.strip() for code in CODES.split(text or "") if code.strip()))


def _level_choices(levels) -> list[tuple[str, str]]:
    return [("", "Choose…")] + [(str(level.level), f"{level.level} – {level.label}") for level in levels]


class QuickSelect(forms.Select):
    """Django's <select> markup built in Python rather than through a template per option: the
    register's unit and owner filters list every unit and owner of a large landlord."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = set(self.format_value(value))
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            ((key, " selected" if str(key) in chosen else "", label) for key, label in self.choices),
        )
        return format_html(
            '<select name="{}"{}>{}</select>', name, flatatt(self.build_attrs(self.attrs, attrs)), options
        )


def _choice(label: str, **kwargs) -> forms.TypedChoiceField:
    return forms.TypedChoiceField(
        label=label, required=False, coerce=int, empty_value=None, widget=QuickSelect, **kwargs
    )


class RiskFilterForm(forms.Form):
    """Filters of the register and the heat map (GET). Invalid values are dropped, not guessed."""

    q = forms.CharField(label="Code or title", required=False, max_length=100)
    category = _choice("Category")
    unit = _choice("Organisation unit")
    owner = _choice("Owner")
    band = _choice("Current band")
    status = forms.ChoiceField(label="Status", required=False, choices=STATUS_CHOICES, widget=QuickSelect)
    above_appetite = forms.BooleanField(label="Above appetite only", required=False)
    overdue = forms.BooleanField(label="Review overdue only", required=False)
    archived = forms.BooleanField(label="Archived risks", required=False)
    # Any other value falls back to the default order rather than failing the page.
    sort = forms.CharField(label="Sort by", required=False, widget=QuickSelect(choices=SORT_CHOICES))
    # A heat-map cell to drill into: position, likelihood and impact.
    position = forms.ChoiceField(required=False, choices=[(p, p) for p in rules.POSITIONS], widget=forms.HiddenInput)
    likelihood = forms.IntegerField(required=False, min_value=1, max_value=rules.MAX_LEVELS, widget=forms.HiddenInput)
    impact = forms.IntegerField(required=False, min_value=1, max_value=rules.MAX_LEVELS, widget=forms.HiddenInput)

    def __init__(self, *args, user, matrix: rules.Matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.matrix = matrix
        # Plain (value, label) pairs: a landlord has hundreds of units and people.
        self.fields["category"].choices = [("", "Any category")] + list(RiskCategory.objects.values_list("pk", "name"))
        self.fields["unit"].choices = [("", "Any unit")] + [
            (pk, f"{'— ' * level}{name}")
            for pk, name, level in OrgUnit.objects.visible_to(user)
            .order_by("tree_id", "lft")
            .values_list("pk", "name", "level")
        ]
        owners = User.objects.visible_to(user).filter(Exists(Risk.objects.filter(owner=OuterRef("pk"))))
        self.fields["owner"].choices = [("", "Anyone")] + list(owners.order_by("name").values_list("pk", "name"))
        self.fields["band"].choices = [("", "Any band")] + [(band.rank, band.name) for band in matrix.bands]

    def clean_sort(self):
        return self.cleaned_data["sort"] if self.cleaned_data["sort"] in SORTS else "-score"

    def clean_status(self):
        return self.cleaned_data["status"] or "open"

    @property
    def cell(self) -> tuple[str, int, int] | None:
        data = self.cleaned_data if self.is_valid() else {}
        if data.get("position") and data.get("likelihood") and data.get("impact"):
            return data["position"], data["likelihood"], data["impact"]
        return None

    def filter(self, risks, *, today, with_cell: bool = True):
        """RISKS narrowed by the filters (call after is_valid())."""
        data = self.cleaned_data
        risks = risks.filter(active=not data.get("archived"))
        if data.get("q"):
            text = data["q"]
            risks = risks.filter(code__icontains=text) | risks.filter(title__icontains=text)
        if data.get("category"):
            risks = risks.filter(category_id=data["category"])
        if data.get("unit"):
            unit = OrgUnit.objects.visible_to(self.user).filter(pk=data["unit"]).first()
            risks = risks.in_unit(unit) if unit else risks.none()
        if data.get("owner"):
            risks = risks.filter(owner_id=data["owner"])
        if data.get("band"):
            risks = risks.in_band(self.matrix, data["band"])
        if data["status"] != "all":
            risks = risks.filter(status=data["status"])
        if data.get("above_appetite"):
            risks = risks.above_appetite(today)
        if data.get("overdue"):
            risks = risks.review_overdue(today)
        if with_cell and self.cell:
            risks = risks.in_cell(*self.cell)
        return risks

    def ordering(self) -> tuple[str, ...]:
        return SORTS[self.cleaned_data.get("sort") or "-score"]


class CodesField(forms.CharField):
    """A list of codes typed into one box; cleaned to the objects found among QUERYSET."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", forms.Textarea(attrs={"rows": 2}))
        super().__init__(*args, **kwargs)


def _resolve(codes: list[str], queryset, what: str) -> list:
    found = {obj.code: obj for obj in queryset.filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise ValidationError(
            f"No {what} you can see has the code{'s' if len(missing) > 1 else ''} {', '.join(missing)}."
        )
    return [found[code] for code in codes]


class RiskForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("owner",)
    LEVEL_FIELDS = tuple(f"{p}_{a}" for p in rules.POSITIONS for a in (rules.LIKELIHOOD, rules.IMPACT))

    parent_code = forms.CharField(
        label="Escalated to (risk code)",
        required=False,
        max_length=40,
        help_text="The code of the higher-level risk this one sits beneath; blank for a top-level risk.",
    )
    objective_codes = CodesField(
        label="Objectives threatened", help_text="Plan objective codes, separated by commas, e.g. HS 1, CS 1."
    )
    action_codes = CodesField(label="Mitigating actions", help_text="Plan action codes, separated by commas.")
    indicator_codes = CodesField(
        label="Key risk indicators", help_text="PI codes whose movement shows a change in this risk, e.g. CMP01."
    )
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Risk
        fields = [
            "code",
            "title",
            "cause",
            "event",
            "effect",
            "category",
            "org_unit",
            "owner",
            "inherent_likelihood",
            "inherent_impact",
            "current_likelihood",
            "current_impact",
            "target_likelihood",
            "target_impact",
            "proximity",
            "treatment",
            "status",
            "review_frequency",
            "next_review_date",
            "active",
        ]
        widgets = {
            "cause": forms.Textarea(attrs={"rows": 2}),
            "event": forms.Textarea(attrs={"rows": 2}),
            "effect": forms.Textarea(attrs={"rows": 2}),
            "next_review_date": DATE,
        }

    def __init__(self, *args, matrix: rules.Matrix, **kwargs):
        super().__init__(*args, **kwargs)
        instance = self.instance
        units, people = self.fields["org_unit"].queryset, self.fields["owner"].queryset
        categories = RiskCategory.objects.filter(active=True)
        if instance.pk:
            # What the risk already has stays on offer, even where the editor could not choose it now.
            units = OrgUnit.objects.filter(Q(pk__in=units.values("pk")) | Q(pk=instance.org_unit_id))
            people = User.objects.filter(Q(pk__in=people.values("pk")) | Q(pk=instance.owner_id))
            categories = RiskCategory.objects.filter(Q(active=True) | Q(pk=instance.category_id))
        self.fields["org_unit"].queryset = units.order_by("tree_id", "lft")
        self.fields["org_unit"].label_from_instance = unit_label
        self.fields["owner"].queryset = people.order_by("name", "pk")
        self.fields["category"].queryset = categories
        for name in self.LEVEL_FIELDS:
            levels = matrix.likelihood if name.endswith(rules.LIKELIHOOD) else matrix.impact
            # Any whole number is accepted here; the scale is checked by the service, which
            # names the field and the scale in its message.
            self.fields[name] = forms.IntegerField(
                label=self.fields[name].label, widget=forms.Select(choices=_level_choices(levels))
            )
        self.fields["next_review_date"].required = False
        self.fields["next_review_date"].help_text = "Leave blank to work it out from the last review and the frequency."
        self.fields["review_frequency"].label = "Review every"
        if instance.pk:
            self.fields["version"].required = True
            self.fields["version"].error_messages["required"] = "Reload the page: the form lost track of the version."
            if not self.is_bound:
                self.initial.update(
                    version=instance.version,
                    parent_code=instance.parent.code if instance.parent_id else "",
                    objective_codes=", ".join(instance.objectives.values_list("code", flat=True)),
                    action_codes=", ".join(instance.actions.values_list("code", flat=True)),
                    indicator_codes=", ".join(instance.indicators.values_list("code", flat=True)),
                )
        else:
            del self.fields["active"]

    def clean_parent_code(self):
        code = self.cleaned_data["parent_code"].strip()
        if not code:
            return None
        parent = Risk.objects.visible_to(self.user).filter(code=code).first()
        if parent is None:
            raise ValidationError(f'No risk you can see has the code "{code}".')
        return parent

    def clean_objective_codes(self):
        objectives = PlanItem.objects.visible_to(self.user).filter(kind=PlanItem.Kind.OBJECTIVE)
        return _resolve(split_codes(self.cleaned_data["objective_codes"]), objectives, "objective")

    def clean_action_codes(self):
        actions = PlanItem.objects.visible_to(self.user).filter(kind=PlanItem.Kind.ACTION)
        return _resolve(split_codes(self.cleaned_data["action_codes"]), actions, "action")

    def clean_indicator_codes(self):
        return _resolve(
            split_codes(self.cleaned_data["indicator_codes"]), Indicator.objects.visible_to(self.user), "PI"
        )

    def _post_clean(self):
        # The service checks the whole risk (with the matrix); the form only fills the instance.
        parent = self.cleaned_data.get("parent_code")
        self.instance.parent = parent
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)


class ReviewForm(forms.Form):
    reviewed_on = forms.DateField(label="Date of the review", widget=DATE)
    likelihood = forms.IntegerField(label="Current likelihood")
    impact = forms.IntegerField(label="Current impact")
    note = forms.CharField(
        label="What has changed",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
        help_text="Controls tested, actions completed, PIs moving: why the score is what it is now.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, risk: Risk, matrix: rules.Matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["likelihood"].widget = forms.Select(choices=_level_choices(matrix.likelihood))
        self.fields["impact"].widget = forms.Select(choices=_level_choices(matrix.impact))
        if not self.is_bound:
            self.initial.update(
                reviewed_on=timezone.localdate(),
                likelihood=risk.current_likelihood,
                impact=risk.current_impact,
                version=risk.version,
            )


class AcceptanceForm(forms.Form):
    until = forms.DateField(label="Accepted until", widget=DATE, required=False)
    reason = forms.CharField(
        label="Why the risk is tolerated above appetite",
        widget=forms.Textarea(attrs={"rows": 3}),
        required=False,
    )
    version = forms.IntegerField(widget=forms.HiddenInput)


class ControlForm(ScopedChoicesMixin, forms.ModelForm):
    person_fields = ("owner",)

    class Meta:
        model = Control
        fields = ["description", "owner", "type", "effectiveness", "last_tested_on"]
        widgets = {"description": forms.Textarea(attrs={"rows": 3}), "last_tested_on": DATE}
        # A blank owner gets the model's own message for a control without one.
        error_messages = {"owner": {"required": Control._meta.get_field("owner").error_messages["null"]}}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            people = self.fields["owner"].queryset
            self.fields["owner"].queryset = User.objects.filter(
                Q(pk__in=people.values("pk")) | Q(pk=self.instance.owner_id)
            ).order_by("name", "pk")


# A mitigating action of a risk: a new plan action under an objective the person may edit.
MitigatingActionForm = NewActionForm


class ImportForm(forms.Form):
    file = forms.FileField(label="CSV or Excel (.xlsx) file")

    def clean_file(self):
        upload = self.cleaned_data["file"]
        spreadsheets.check_upload(upload)
        return upload


class MatrixSizeForm(forms.Form):
    likelihood_levels = forms.IntegerField(
        label="Likelihood levels", min_value=rules.MIN_LEVELS, max_value=rules.MAX_LEVELS
    )
    impact_levels = forms.IntegerField(label="Impact levels", min_value=rules.MIN_LEVELS, max_value=rules.MAX_LEVELS)


MAX_BANDS = 6
COLOUR_INPUT = forms.TextInput(attrs={"type": "color"})


class MatrixForm(forms.Form):
    """Every setting of the matrix on one form: the levels of both scales, up to MAX_BANDS bands
    (a band without a name is not used) and the band of each cell."""

    def __init__(self, *args, matrix: rules.Matrix, **kwargs):
        super().__init__(*args, **kwargs)
        self.matrix = matrix
        self.level_rows = []
        for axis, levels in ((rules.LIKELIHOOD, matrix.likelihood), (rules.IMPACT, matrix.impact)):
            for level in levels:
                prefix = f"{axis[0]}{level.level}"
                names = ["label", "description"]
                if axis == rules.IMPACT:
                    names += ["finance", "reputation", "safety", "regulation"]
                row = []
                for name in names:
                    field_name = f"{prefix}_{name}"
                    self.fields[field_name] = forms.CharField(
                        label=f"{axis.capitalize()} {level.level} {name}",
                        required=name == "label",
                        max_length={"label": 60, "description": 500}.get(name, 200),
                        initial=getattr(level, name),
                    )
                    row.append(field_name)
                self.level_rows.append((axis, level.level, row))
        existing = {band.rank: band for band in matrix.bands}
        self.band_rows = []
        for rank in range(1, MAX_BANDS + 1):
            band = existing.get(rank)
            self.fields[f"band{rank}_name"] = forms.CharField(
                label=f"Band {rank} word", required=False, max_length=40, initial=band.name if band else ""
            )
            self.fields[f"band{rank}_colour"] = forms.RegexField(
                label=f"Band {rank} colour",
                regex=r"^#[0-9a-fA-F]{6}$",
                initial=band.colour if band else "#505a5f",
                widget=COLOUR_INPUT,
                error_messages={"invalid": "Give the colour as # and six hexadecimal digits."},
            )
            self.fields[f"band{rank}_shape"] = forms.ChoiceField(
                label=f"Band {rank} shape", choices=list(rules.SHAPES.items()), initial=band.shape if band else "circle"
            )
            self.band_rows.append((rank, [f"band{rank}_name", f"band{rank}_colour", f"band{rank}_shape"]))
        band_choices = [
            (rank, f"{rank}: {existing[rank].name}" if rank in existing else f"{rank}: (unnamed)")
            for rank in range(1, MAX_BANDS + 1)
        ]
        self.cell_rows = []
        for likelihood in reversed(range(1, matrix.likelihood_levels + 1)):
            row = []
            for impact in range(1, matrix.impact_levels + 1):
                name = f"cell_{likelihood}_{impact}"
                self.fields[name] = forms.TypedChoiceField(
                    label=f"Likelihood {likelihood}, impact {impact}",
                    choices=band_choices,
                    coerce=int,
                    initial=matrix.cells.get((likelihood, impact)),
                )
                row.append(name)
            self.cell_rows.append((likelihood, row))

    # The fields laid out as the page shows them (bound fields, so the template can render them).
    @property
    def likelihood_table(self):
        return [
            (level, [self[name] for name in names])
            for axis, level, names in self.level_rows
            if axis == rules.LIKELIHOOD
        ]

    @property
    def impact_table(self):
        return [
            (level, [self[name] for name in names]) for axis, level, names in self.level_rows if axis == rules.IMPACT
        ]

    @property
    def band_table(self):
        return [(rank, [self[name] for name in names]) for rank, names in self.band_rows]

    @property
    def cell_table(self):
        return [(likelihood, [self[name] for name in names]) for likelihood, names in self.cell_rows]

    def to_matrix(self) -> rules.Matrix:
        data = self.cleaned_data

        def scale(axis, count):
            return tuple(
                rules.Level(
                    level,
                    data[f"{axis[0]}{level}_label"].strip(),
                    data[f"{axis[0]}{level}_description"].strip(),
                    *(
                        data[f"{axis[0]}{level}_{name}"].strip()
                        for name in ("finance", "reputation", "safety", "regulation")
                        if axis == rules.IMPACT
                    ),
                )
                for level in range(1, count + 1)
            )

        bands = tuple(
            rules.Band(rank, data[f"band{rank}_name"].strip(), data[f"band{rank}_colour"], data[f"band{rank}_shape"])
            for rank in range(1, MAX_BANDS + 1)
            if data[f"band{rank}_name"].strip()
        )
        cells = {
            (likelihood, impact): data[f"cell_{likelihood}_{impact}"]
            for likelihood in range(1, self.matrix.likelihood_levels + 1)
            for impact in range(1, self.matrix.impact_levels + 1)
        }
        return rules.Matrix(
            likelihood=scale(rules.LIKELIHOOD, self.matrix.likelihood_levels),
            impact=scale(rules.IMPACT, self.matrix.impact_levels),
            bands=bands,
            cells=cells,
        )


class CategoryForm(forms.ModelForm):
    class Meta:
        model = RiskCategory
        fields = ["name", "code", "appetite", "statement", "order", "active"]
        widgets = {"statement": forms.Textarea(attrs={"rows": 2})}

    def __init__(self, *args, max_score: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.max_score = max_score

    def clean_appetite(self):
        appetite = self.cleaned_data["appetite"]
        if appetite is not None and not 1 <= appetite <= self.max_score:
            raise ValidationError(f"The appetite is a score from 1 to {self.max_score} (the highest on the matrix).")
        return appetite


CategoryFormSet = forms.modelformset_factory(RiskCategory, form=CategoryForm, extra=1, can_delete=False)
