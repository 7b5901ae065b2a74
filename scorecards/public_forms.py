"""Forms of the public pages' settings: the organisation's name, logo and introduction, and the
context of each year's Tenant Satisfaction Measures survey."""

from django import forms
from django.utils import timezone

from scorecards import publishing
from scorecards.models import ScorecardSettings, TsmSurvey


class PublicIdentityForm(forms.ModelForm):
    logo = forms.FileField(
        required=False,
        help_text=f"A PNG or JPEG image of at most {publishing.LOGO_MAX_BYTES // 1024} KB and "
        f"{publishing.LOGO_MAX_SIDE} pixels a side. Leave empty to keep the current logo.",
    )
    remove_logo = forms.BooleanField(required=False, label="Remove the current logo")

    class Meta:
        model = ScorecardSettings
        fields = ["public_name", "public_introduction"]
        widgets = {"public_introduction": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance.public_logo_type:
            del self.fields["remove_logo"]

    def clean_logo(self):
        upload = self.cleaned_data.get("logo")
        if not upload:
            return None
        try:
            return publishing.check_logo(upload)
        except forms.ValidationError as error:
            raise forms.ValidationError(error.messages) from None

    def clean(self):
        cleaned = super().clean()
        has_logo = cleaned.get("logo") or (self.instance.public_logo_type and not cleaned.get("remove_logo"))
        if has_logo and not cleaned.get("public_name", "").strip():
            self.add_error("public_name", "Give the organisation's name: it is shown beside the logo.")
        return cleaned

    def save(self, commit=True):
        settings = super().save(commit=False)
        logo = self.cleaned_data.get("logo")
        if logo:
            settings.public_logo, settings.public_logo_type = logo
            settings.public_logo_changed = timezone.now()
        elif self.cleaned_data.get("remove_logo"):
            settings.public_logo, settings.public_logo_type = None, ""
            settings.public_logo_changed = timezone.now()
        if commit:
            settings.save()
        return settings


class TsmSurveyForm(forms.ModelForm):
    # Bounded at the form, so an impossible year never reaches the instance the page is titled by.
    year = forms.IntegerField(
        label="Survey year",
        min_value=2000,
        max_value=2199,
        help_text="The financial year of the results, by its first year: 2025 for 2025/26.",
    )

    class Meta:
        model = TsmSurvey
        fields = [
            "year",
            "sample_size",
            "response_rate",
            "collection_method",
            "fieldwork_start",
            "fieldwork_end",
            "carried_out_by",
            "contractor",
            "notes",
        ]
        widgets = {
            "fieldwork_start": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "fieldwork_end": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "carried_out_by": forms.RadioSelect,
            "notes": forms.Textarea(attrs={"rows": 3}),
        }
