from django import forms

from cycle.models import CalendarOverride, DigestPreference, ReportingCalendar


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


class CalendarForm(forms.ModelForm):
    """The days of a reporting calendar, in the groups the page shows (see GROUPS); the model's
    clean() checks their order and names the field at fault."""

    GROUPS = [
        (
            "Days of the month after the reporting month",
            ["values_due_day", "approvals_due_day", "scorecards_day", "executive_review_day", "service_review_day"],
        ),
        ("Period lock", ["lock_values", "lock_day"]),
        (
            "Reminders and escalation",
            [
                "reminder_lead_days",
                "escalate_manager_after_days",
                "escalate_director_after_days",
                "action_due_soon_days",
                "action_stale_days",
            ],
        ),
    ]

    class Meta:
        model = ReportingCalendar
        fields = [
            "values_due_day",
            "approvals_due_day",
            "scorecards_day",
            "executive_review_day",
            "service_review_day",
            "lock_values",
            "lock_day",
            "reminder_lead_days",
            "escalate_manager_after_days",
            "escalate_director_after_days",
            "action_due_soon_days",
            "action_stale_days",
        ]

    def groups(self):
        """(legend, bound fields) for each group of the page."""
        return [(legend, [self[name] for name in names]) for legend, names in self.GROUPS]


class OverrideForm(forms.ModelForm):
    class Meta:
        model = CalendarOverride
        fields = ["month", "step", "date", "note"]
        widgets = {
            "month": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
            "date": forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        }


OverrideFormSet = forms.inlineformset_factory(
    ReportingCalendar, CalendarOverride, form=OverrideForm, extra=2, can_delete=True, max_num=200, validate_max=True
)
