from django import forms

from pmf.models import OrgUnit, User


class OrgUnitForm(forms.ModelForm):
    class Meta:
        model = OrgUnit
        fields = ["name", "code", "kind", "parent", "active"]

    def __init__(self, *args, parent_choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["parent"].queryset = parent_choices
        self.fields["parent"].label_from_instance = lambda unit: f"{'— ' * unit.level}{unit.name}"


class PersonFilterForm(forms.Form):
    q = forms.CharField(label="Name, email or job title", required=False, max_length=100)
    role = forms.ChoiceField(label="Role", required=False, choices=[("", "Any role"), *User.Role.choices])
    unit = forms.ModelChoiceField(
        label="Organisation unit", required=False, queryset=OrgUnit.objects.none(), empty_label="Any unit"
    )

    def __init__(self, *args, units, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["unit"].queryset = units
        self.fields["unit"].label_from_instance = lambda unit: f"{'— ' * unit.level}{unit.name}"
