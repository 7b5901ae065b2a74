from django import forms
from django.utils import timezone

from people.models import Rating
from plans.models import PlanItem
from pmf.access import in_line_of_q
from pmf.models import User


def line_people(user):
    """Active people below USER in the line, by name: whom USER may meet or appraise."""
    return User.objects.filter(in_line_of_q(user), is_active=True).order_by("name", "pk")


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, person):
        return f"{person.name} ({person.job_title})" if person.job_title else person.name


class StartMeetingForm(forms.Form):
    # Any active person is accepted here so that someone outside the line gets the service's
    # message on this field (what a tampered form or a stale page would post), not a bare "invalid choice".
    person = PersonChoiceField(queryset=User.objects.filter(is_active=True), empty_label="Choose a person")
    held_on = forms.DateField(label="Meeting date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.offered = line_people(user)
        self.fields["person"].widget.choices = [("", "Choose a person")] + [
            (person.pk, self.fields["person"].label_from_instance(person)) for person in self.offered
        ]
        if "held_on" in self.fields:
            self.fields["held_on"].initial = timezone.localdate()


class StartAppraisalForm(StartMeetingForm):
    held_on = None
    year = forms.IntegerField(label="Financial year (the year it starts)", min_value=2000, max_value=2100)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        today = timezone.localdate()
        self.fields["year"].initial = today.year if today.month >= 4 else today.year - 1


class MeetingNotesForm(forms.Form):
    """General notes, the comment on each item (posted as comment-<kind>-<id>, read for the items
    given as ITEMS: a person may own hundreds, so they are not form fields) and, for the line
    manager's side, the next meeting date."""

    COMMENT_MAX = 5000

    notes = forms.CharField(label="General notes", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    next_meeting = forms.DateField(label="Next meeting", required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, items=(), manager_side: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.items = list(items)
        if not manager_side:
            del self.fields["next_meeting"]

    @staticmethod
    def comment_name(kind: str, object_id: int) -> str:
        return f"comment-{kind}-{object_id}"

    def clean(self):
        cleaned = super().clean()
        comments = {}
        for item in self.items:
            text = self.data.get(self.comment_name(item.kind, item.object_id), "")
            if len(text) > self.COMMENT_MAX:
                self.add_error(
                    None, f"The comment on {item.code} is longer than {self.COMMENT_MAX:,} characters ({len(text):,})."
                )
            comments[(item.kind, item.object_id)] = text
        cleaned["comments"] = comments
        return cleaned

    def comments(self) -> dict:
        return self.cleaned_data["comments"]


class AgreedActionForm(forms.Form):
    title = forms.CharField(label="Action agreed", max_length=300)
    objective = forms.ModelChoiceField(
        label="Objective it serves", queryset=PlanItem.objects.none(), empty_label="Choose an objective"
    )
    due_date = forms.DateField(label="Due date", widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, **kwargs)
        objectives = PlanItem.objects.visible_to(user).filter(kind=PlanItem.Kind.OBJECTIVE, active=True)
        if person.org_unit_id:
            objectives = objectives.filter(org_unit__tree_id=person.org_unit.tree_id)
        self.fields["objective"].queryset = objectives.order_by("tree_id", "lft")
        self.fields["objective"].label_from_instance = lambda item: f"{item.code} {item.title}"


class AppraisalForm(forms.Form):
    comments = forms.CharField(label="Comments", required=False, widget=forms.Textarea(attrs={"rows": 4}))

    def __init__(self, *args, objectives, manager_side: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.objectives = list(objectives) if manager_side else []
        for objective in self.objectives:
            self.fields[f"rating-{objective.pk}"] = forms.TypedChoiceField(
                label=f"Rating of “{objective.title}”",
                choices=[("", "Not rated yet"), *Rating.choices],
                coerce=int,
                empty_value=None,
                required=False,
                initial=objective.rating,
            )

    def ratings(self) -> dict:
        return {objective.pk: self.cleaned_data.get(f"rating-{objective.pk}") for objective in self.objectives}


class ObjectiveForm(forms.Form):
    title = forms.CharField(label="Personal objective", max_length=300)
    plan_item = forms.ModelChoiceField(
        label="Serves (plan action or objective)", queryset=PlanItem.objects.none(), empty_label="Choose"
    )

    def __init__(self, *args, user, person, **kwargs):
        super().__init__(*args, **kwargs)
        items = PlanItem.objects.visible_to(user).filter(
            kind__in=(PlanItem.Kind.OBJECTIVE, PlanItem.Kind.ACTION), active=True
        )
        if person.org_unit_id:
            items = items.filter(org_unit__tree_id=person.org_unit.tree_id)
        self.fields["plan_item"].queryset = items.order_by("tree_id", "lft")
        self.fields["plan_item"].label_from_instance = lambda item: f"{item.code} {item.title}"


class NeedForm(forms.Form):
    need = forms.CharField(label="Training or development need", max_length=300)
    support = forms.CharField(label="How it will be met", max_length=300, required=False)
    by_date = forms.DateField(label="By", required=False, widget=forms.DateInput(attrs={"type": "date"}))


class ChangesForm(forms.Form):
    """Two completed meetings to compare (ids from the query string)."""

    earlier = forms.IntegerField(min_value=1, max_value=2**63 - 1)
    later = forms.IntegerField(min_value=1, max_value=2**63 - 1)
