from django import forms
from django.forms.models import construct_instance
from django.utils import timezone

from indicators.models import Indicator
from plans.forms import NewActionForm
from plans.models import PlanItem
from pmf.forms import ScopedChoicesMixin, ids_from, unit_label
from pmf.models import OrgUnit, User
from scrutiny import rules
from scrutiny.models import BoardMeeting, PerformanceClinic, Referral

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
TEXT = forms.Textarea(attrs={"rows": 5})


class RaiseForm(forms.Form):
    question = forms.CharField(
        widget=TEXT,
        max_length=4000,
        help_text="What you want the service to explain: what worries you and what you would like to know.",
    )
    meeting = forms.ModelChoiceField(
        queryset=BoardMeeting.objects.none(),
        required=False,
        label="Board meeting it feeds",
        empty_label="No particular meeting",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["meeting"].queryset = (
            BoardMeeting.objects.visible_to(user).upcoming(timezone.localdate()).select_related("org_unit")
        )


class AcceptForm(forms.Form):
    assigned_to = forms.ModelChoiceField(
        queryset=User.objects.none(), label="Service manager who answers", empty_label="Choose a manager…"
    )
    due_on = forms.DateField(label="Answer due", widget=DATE)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["assigned_to"].queryset = User.objects.pickable_by(user).filter(role__in=["manager", "admin"])


class MergeForm(forms.Form):
    merged_into = forms.ModelChoiceField(
        queryset=Referral.objects.none(), label="Open referral to merge into", empty_label="Choose a referral…"
    )

    def __init__(self, *args, referral, **kwargs):
        super().__init__(*args, **kwargs)
        field = self.fields["merged_into"]
        field.queryset = (
            Referral.objects.open()
            .exclude(pk=referral.pk)
            .select_related("indicator", "section__scorecard", "action")
            .order_by("-raised_on", "-pk")
        )
        field.label_from_instance = lambda other: f"{other.pk}: {other.subject_label} ({other.raised_on:%-d %b %Y})"


class DeclineForm(forms.Form):
    decline_reason = forms.CharField(label="Reason for declining", widget=TEXT, max_length=4000, required=False)


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        if isinstance(data, list | tuple):
            return [super(MultipleFileField, self).clean(item, initial) for item in data if item]
        return [super().clean(data, initial)] if data else []


class AnswerForm(forms.Form):
    answer = forms.CharField(widget=forms.Textarea(attrs={"rows": 8}), max_length=10000, required=False)
    attachments = MultipleFileField(
        required=False,
        label="Attachments",
        help_text="Optional: up to 5 files (PDF, Word, Excel, CSV, text or images) within the evidence size limit.",
    )


class OutcomeForm(forms.Form):
    outcome = forms.ChoiceField(choices=[("", "Choose the outcome…"), *rules.OUTCOME_CHOICES])
    outcome_note = forms.CharField(
        label="Note for the Board",
        widget=TEXT,
        max_length=4000,
        required=False,
        help_text="What is reported back with the answer.",
    )
    clinic = forms.ModelChoiceField(
        queryset=PerformanceClinic.objects.none(),
        required=False,
        label="Performance clinic",
        empty_label="None",
        help_text="Only when the outcome is a performance clinic.",
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["clinic"].queryset = PerformanceClinic.objects.visible_to(user).order_by("-held_on", "-pk")


class MeetingForm(forms.ModelForm):
    class Meta:
        model = BoardMeeting
        fields = ["title", "org_unit", "date", "papers_deadline", "notes"]
        widgets = {"date": DATE, "papers_deadline": DATE, "notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["org_unit"].queryset = OrgUnit.objects.pickable_by(user).filter(
            kind__in=[OrgUnit.Kind.GROUP, OrgUnit.Kind.ORGANISATION]
        )
        self.fields["org_unit"].label_from_instance = unit_label

    def _post_clean(self):
        # the model's constraints are checked by the service, which names the field
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)


def _codes(text: str) -> list[str]:
    return [code.strip() for code in text.replace("\n", ",").split(",") if code.strip()]


class ClinicForm(ScopedChoicesMixin, forms.ModelForm):
    unit_fields = ("org_unit",)
    person_fields = ("lead", "attendees")
    indicator_codes = forms.CharField(
        label="PIs discussed", required=False, max_length=2000, help_text="PI codes, separated by commas."
    )
    action_codes = forms.CharField(
        label="Actions discussed", required=False, max_length=2000, help_text="Action codes, separated by commas."
    )
    referral_ids = forms.CharField(
        label="Referrals considered", required=False, max_length=500, help_text="Referral numbers, separated by commas."
    )

    class Meta:
        model = PerformanceClinic
        fields = ["topic", "held_on", "org_unit", "lead", "attendees", "other_attendees", "notes", "outcomes"]
        widgets = {
            "held_on": DATE,
            "attendees": forms.CheckboxSelectMultiple,
            "other_attendees": forms.Textarea(attrs={"rows": 3}),
            "notes": forms.Textarea(attrs={"rows": 6}),
            "outcomes": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        people = User.objects.pickable_by(self.user)
        self.fields["attendees"].queryset = people
        if self.instance.pk and not self.is_bound:
            self.initial["indicator_codes"] = ", ".join(self.instance.indicators.values_list("code", flat=True))
            self.initial["action_codes"] = ", ".join(self.instance.actions.values_list("code", flat=True))
            self.initial["referral_ids"] = ", ".join(
                str(pk) for pk in self.instance.referrals.values_list("pk", flat=True)
            )

    def clean_indicator_codes(self):
        codes = _codes(self.cleaned_data["indicator_codes"])
        found = {pi.code: pi for pi in Indicator.objects.visible_to(self.user).filter(code__in=codes)}
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(f"No PI you can see has the code {', '.join(missing)}.")
        return list(found.values())

    def clean_action_codes(self):
        codes = _codes(self.cleaned_data["action_codes"])
        found = {
            item.code: item
            for item in PlanItem.objects.visible_to(self.user).filter(kind=PlanItem.Kind.ACTION, code__in=codes)
        }
        missing = [code for code in codes if code not in found]
        if missing:
            raise forms.ValidationError(f"No action you can see has the code {', '.join(missing)}.")
        return list(found.values())

    def clean_referral_ids(self):
        text = self.cleaned_data["referral_ids"]
        words = _codes(text)
        ids = ids_from(words)
        if len(ids) != len(words):
            raise forms.ValidationError("Give referral numbers only, separated by commas.")
        found = {r.pk: r for r in Referral.objects.visible_to(self.user).filter(pk__in=ids)}
        missing = [str(pk) for pk in ids if pk not in found]
        if missing:
            raise forms.ValidationError(f"No referral you can see has the number {', '.join(missing)}.")
        return list(found.values())

    def _post_clean(self):
        opts = self._meta
        self.instance = construct_instance(self, self.instance, opts.fields, opts.exclude)


# An action agreed at a performance clinic: a new plan action under an objective the person may edit.
ClinicActionForm = NewActionForm


class ProgrammeFilterForm(forms.Form):
    status = forms.ChoiceField(
        required=False,
        choices=[
            ("", "Every open status"),
            *[(s, rules.STATUS_LABELS[s]) for s in (rules.RAISED, rules.ACCEPTED, rules.ANSWERED)],
        ],
    )
