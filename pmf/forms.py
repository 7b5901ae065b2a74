from django import forms
from django.core.exceptions import ValidationError

from pmf.models import OrgUnit, User


def unit_label(unit: OrgUnit) -> str:
    """A unit's name indented by its depth, for pickers listed in tree order."""
    return f"{'— ' * unit.level}{unit.name}"


class ScopedChoicesMixin:
    """Offers in the unit and person pickers exactly what the signed-in person may pick.

    List the pickers in `unit_fields` and `person_fields`; their choices become
    `OrgUnit.objects.pickable_by(user)` and `User.objects.pickable_by(user)`, the rule every form
    and import shares (inactive units and people are never offered). The form takes `user=`."""

    unit_fields: tuple[str, ...] = ()
    person_fields: tuple[str, ...] = ()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        units = OrgUnit.objects.pickable_by(user)
        for name in self.unit_fields:
            self.fields[name].queryset = units
            self.fields[name].label_from_instance = unit_label
        people = User.objects.pickable_by(user)
        for name in self.person_fields:
            self.fields[name].queryset = people


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "active"]

    def __init__(self, *args, parent_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parent_choices
        self.fields["parent"].label_from_instance = unit_label


class PersonInviteForm(ScopedChoicesMixin, forms.ModelForm):
    """A new person, set up by an admin within their scope; they choose their own password through
    the link e-mailed to them."""

    unit_fields = ("org_unit",)
    person_fields = ("line_manager",)

    class Meta:
        model = User
        fields = ["username", "name", "email", "job_title", "org_unit", "line_manager", "role"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("name", "email", "org_unit"):
            self.fields[name].required = True

    def clean_email(self):
        email = self.cleaned_data["email"].strip()
        if User.objects.filter(email__iexact=email).exists():
            raise ValidationError("Someone already has this e-mail address; each person signs in with their own.")
        return email


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="Name, email or job title", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *User.Role.choices])
    unit = forms.ModelChoiceField(
        label="Organisation unit", required=False, queryset=OrgUnit.objects.none(), empty_label="Any unit"
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = unit_label


# The largest id a bigint primary key holds: anything larger names no row.
_ID_FIELD = forms.IntegerField(min_value=1, max_value=2**63 - 1, required=False)


def ids_from(values) -> list[int]:
    """The ids among VALUES (from a query string or a POST), each read through a form field, so
    text such as '²', 'NaN' or a 30-digit number is dropped instead of reaching int() or the database."""
    found = []
    for value in values:
        try:
            number = _ID_FIELD.clean(value)
        except ValidationError:
            continue
        if number is not None:
            found.append(number)
    return found


def id_from(data, name: str) -> int | None:
    """The id DATA names under NAME (see ids_from), or None when it names none."""
    found = ids_from([data.get(name)])
    return found[0] if found else None


def add_errors(form, exc: ValidationError, renamed: dict | None = None) -> None:
    """Put a service's ValidationError on FORM: each message on the field it names (RENAMED maps a
    model field to the form field that edits it), the rest above the form."""
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    renamed = renamed or {}
    for name, errors in exc.error_dict.items():
        name = renamed.get(name, name)
        form.add_error(name if name in form.fields else None, errors)
