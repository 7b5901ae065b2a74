from django import forms

from indicators.models import Indicator, Tag
from pmf.access import organisation_q
from pmf.forms import ScopedChoicesMixin
from pmf.models import OrgUnit
from pmf.registry import SNAPSHOT_SECTIONS
from scorecards.models import (
    ROLE_CHOICES,
    Scorecard,
    ScorecardSection,
    ScorecardSettings,
    Snapshot,
    period_error,
)
from scorecards.pages import hidden_section_keys, wrap_section_keys
from scorecards.status import parse_period


def indicators_named(text: str, user, *, unit=None) -> list[Indicator]:
    """The PIs USER may see whose codes TEXT lists (separated by spaces or commas), in that order;
    a ValidationError names every code that matches none. With UNIT (a scorecard's), only PIs of
    UNIT's organisation are accepted: a partner's scorecard never carries another partner's PIs."""
    codes = [code for code in text.replace(",", " ").split() if code]
    found = {ind.code: ind for ind in Indicator.objects.visible_to(user).filter(code__in=codes)}
    missing = [code for code in codes if code not in found]
    if missing:
        raise forms.ValidationError(f"No PI you can see has the code: {', '.join(missing)}.")
    if unit is not None:
        inside = set(
            Indicator.objects.filter(pk__in=[ind.pk for ind in found.values()])
            .filter(organisation_q(unit))
            .values_list("code", flat=True)
        )
        outside = [code for code in codes if code not in inside]
        if outside:
            raise forms.ValidationError(
                f"These PIs belong to another organisation than {unit.name}'s: {', '.join(outside)}."
            )
    return [found[code] for code in codes]


class PeriodField(forms.CharField):
    """A month typed as YYYY-MM (the browser's month input)."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        period = parse_period(value)
        if period is None:
            raise forms.ValidationError("Enter a month as YYYY-MM, e.g. 2025-10.")
        if error := period_error(period):
            raise forms.ValidationError(error)
        return period

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if hasattr(value, "strftime") else value


class PeriodForm(forms.Form):
    period = PeriodField(required=False, label="Period", help_text="Month shown, as YYYY-MM.")


class SnapshotForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("person_filter", "shared_with")
    columns = forms.MultipleChoiceField(
        choices=Snapshot.Column.choices, widget=forms.CheckboxSelectMultiple, required=False, label="Columns shown"
    )
    roles = forms.MultipleChoiceField(
        choices=ROLE_CHOICES,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        label="Share with everyone in the organisation who is one of",
    )
    codes = forms.CharField(
        required=False,
        label="These PIs (codes)",
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="PI codes separated by spaces or commas.",
    )
    period = PeriodField(required=False, label="Period", help_text="Blank for each PI's latest period.")

    class Meta:
        model = Snapshot
        fields = [
            "name",
            "org_unit",
            "unit_filter",
            "tags",
            "person_filter",
            "period",
            "include_actions",
            "shared_with",
        ]
        widgets = {"tags": forms.CheckboxSelectMultiple, "shared_with": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        # a filter over the PIs the reader may see, not a unit the snapshot is given to
        self.fields["unit_filter"].queryset = OrgUnit.objects.visible_to(user).order_by("tree_id", "lft")
        self.fields["tags"].queryset = Tag.objects.all()
        if self.instance.pk:
            self.initial["columns"] = self.instance.column_list
            self.initial["roles"] = self.instance.role_list
            self.initial["codes"] = " ".join(self.instance.indicators.order_by("code").values_list("code", flat=True))
        else:
            self.initial["columns"] = list(Snapshot.Column.values)
            self.initial.setdefault("org_unit", user.org_unit_id)
        self._add_section_fields()

    def _add_section_fields(self):
        """A "Show ..." checkbox for each section other modules add to snapshot pages (checked
        unless the snapshot hides it), placed after "show plan actions"."""
        hidden = hidden_section_keys(self.instance)
        fields = {}
        for name, field in self.fields.items():
            fields[name] = field
            if name == "include_actions":
                for section in SNAPSHOT_SECTIONS:
                    fields[self.section_field(section)] = forms.BooleanField(
                        required=False,
                        initial=section.key not in hidden,
                        label=f"Show {section.label.lower()}",
                        help_text=f"Also list the {section.label.lower()} of the chosen unit or person.",
                    )
        self.fields = fields

    @staticmethod
    def section_field(section) -> str:
        return f"show_section_{section.key}"

    def clean_codes(self):
        return indicators_named(self.cleaned_data["codes"], self.user)

    def save(self, commit=True):
        snapshot = super().save(commit=False)
        snapshot.columns = ",".join(self.cleaned_data["columns"] or Snapshot.Column.values)
        snapshot.set_roles(self.cleaned_data["roles"])
        registered = {section.key: section for section in SNAPSHOT_SECTIONS}
        # keys of sections no longer registered stay as they were
        hidden = {key for key in hidden_section_keys(snapshot) if key not in registered}
        hidden |= {key for key, section in registered.items() if not self.cleaned_data[self.section_field(section)]}
        snapshot.hidden_sections = wrap_section_keys(hidden)
        if not snapshot.owner_id:
            snapshot.owner = self.user
        snapshot.save()
        self.save_m2m()
        snapshot.indicators.set(self.cleaned_data["codes"])
        return snapshot


class ScorecardForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("shared_with",)

    class Meta:
        model = Scorecard
        fields = [
            "title",
            "org_unit",
            "description",
            "director_commentary",
            "director_commentary_internal",
            "shared_with",
            "publication",
            "public_slug",
            "public_title",
            "issue_monthly",
            "active",
        ]
        widgets = {
            "shared_with": forms.SelectMultiple(attrs={"size": 6}),
            "description": forms.Textarea(attrs={"rows": 2}),
            "director_commentary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["public_slug"].required = False

    def clean_public_slug(self):
        return self.cleaned_data["public_slug"] or None


class SectionForm(forms.ModelForm):
    class Meta:
        model = ScorecardSection
        fields = ["title", "commentary", "commentary_internal"]
        widgets = {"commentary": forms.Textarea(attrs={"rows": 3})}


class AddPisForm(forms.Form):
    codes = forms.CharField(label="PI codes to add", help_text="Separate codes with spaces or commas.")
    signpost = forms.BooleanField(required=False, label="Mark as signposts")

    def __init__(self, *args, user, unit=None, **kwargs):
        """UNIT: the scorecard's unit, whose organisation the PIs must belong to."""
        super().__init__(*args, **kwargs)
        self.user = user
        self.unit = unit

    def clean_codes(self):
        return indicators_named(self.cleaned_data["codes"], self.user, unit=self.unit)


class SettingsForm(forms.ModelForm):
    class Meta:
        model = ScorecardSettings
        fields = ["unapproved_values", "issue_day"]
        widgets = {"unapproved_values": forms.RadioSelect}

    def clean_issue_day(self):
        day = self.cleaned_data["issue_day"]
        if not 1 <= day <= 28:
            raise forms.ValidationError("Choose a day from 1 to 28, so every month has it.")
        return day
