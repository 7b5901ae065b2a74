from django import forms

from cycle.models import DigestPreference


class PreferenceForm(forms.ModelForm):
    class Meta:
        model = DigestPreference
        fields = ["frequency", "weekday"]
        widgets = {"frequency": forms.RadioSelect}
        help_texts = {
            "frequency": "Actions due, actions without an update and other optional reminders. Reminders of "
            "deadlines (PI values, commentary, approvals) and escalations always come in the daily digest.",
            "weekday": "Used when you take optional reminders weekly.",
        }


class UnitForm(forms.Form):
    """The unit a page is looking at (by id; the view checks it is one the person may look at)."""

    unit = forms.IntegerField(required=False, min_value=1)


class MarkReadForm(forms.Form):
    """Which notifications to mark as read: the ticked ones, or all with ALL."""

    ids = forms.TypedMultipleChoiceField(coerce=int, required=False)
    all = forms.BooleanField(required=False)

    def __init__(self, *args, choices, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["ids"].choices = [(pk, pk) for pk in choices]

    def clean(self):
        data = super().clean()
        if not data.get("all") and not data.get("ids"):
            raise forms.ValidationError("Tick the notifications to mark as read, or mark them all.")
        return data
