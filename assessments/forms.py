from django import forms
from django.core.exceptions import ValidationError
from django.utils.text import slugify

from assessments.models import Assessment, EvidenceLink, Framework, FrameworkNode, Response
from indicators.models import Indicator
from plans.models import PlanItem
from pmf.forms import ScopedChoicesMixin, unit_label
from pmf.models import OrgUnit, User

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
PAGE_SIZES = (25, 50, 100)


def level_choices(scale, blank: str) -> list[tuple[str, str]]:
    return [("", blank), *[(str(value), label) for value, label in scale.choices()]]


def _level(value: str) -> int | None:
    return int(value) if value not in (None, "") else None


class AssessmentFilterForm(forms.Form):
    q = forms.CharField(label="Title contains", required=False, max_length=100)
    status = forms.ChoiceField(label="Status", required=False, choices=[("", "Any status"), *Assessment.Status.choices])
    framework = forms.ChoiceField(label="Framework", required=False)
    unit = forms.ModelChoiceField(
        label="Organisation unit", required=False, queryset=OrgUnit.objects.none(), empty_label="Any unit"
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        keys = Framework.objects.order_by("name").values_list("key", "name").distinct()
        self.fields["framework"].choices = [("", "Any framework"), *dict(keys).items()]
        self.fields["unit"].queryset = OrgUnit.objects.visible_to(user).filter(active=True).order_by("tree_id", "lft")
        self.fields["unit"].label_from_instance = unit_label

    def filter(self, assessments):
        if not self.is_valid():
            return assessments
        data = self.cleaned_data
        if data["q"]:
            assessments = assessments.filter(title__icontains=data["q"])
        if data["status"]:
            assessments = assessments.filter(status=data["status"])
        if data["framework"]:
            assessments = assessments.filter(framework__key=data["framework"])
        if data["unit"] is not None:
            unit = data["unit"]
            assessments = assessments.filter(
                org_unit__tree_id=unit.tree_id, org_unit__lft__gte=unit.lft, org_unit__rght__lte=unit.rght
            )
        return assessments


class AssessmentForm(ScopedChoicesMixin, forms.ModelForm):
    """A new assessment of a chosen framework version: one target field per judgement scale."""

    unit_fields = ("org_unit",)
    person_fields = ("lead", "shared_with")

    class Meta:
        model = Assessment
        fields = ["title", "kind", "org_unit", "lead", "assessed_on", "due_date", "shared_with"]
        widgets = {"assessed_on": DATE, "due_date": DATE, "shared_with": forms.SelectMultiple(attrs={"size": 6})}

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.instance.framework = framework
        self.fields["lead"].required = True
        self.fields["shared_with"].help_text = "People who may read it, such as Board members (Ctrl to pick several)."
        self.scales = list(framework.scales.all())
        for scale in self.scales:
            name = f"target_{scale.pk}"
            self.fields[name] = forms.ChoiceField(
                label=f"Target: {scale.name}",
                choices=level_choices(scale, "No target"),
                required=False,
                help_text="The level each question should reach; change it per question later.",
            )
            self.initial.setdefault(name, str(scale.values[-1]))

    def targets(self) -> dict[int, int | None]:
        return {scale.pk: _level(self.cleaned_data.get(f"target_{scale.pk}")) for scale in self.scales}


class AssessmentEditForm(ScopedChoicesMixin, forms.ModelForm):
    person_fields = ("lead", "shared_with")

    class Meta:
        model = Assessment
        fields = ["title", "kind", "lead", "assessed_on", "due_date", "summary", "shared_with"]
        widgets = {
            "assessed_on": DATE,
            "due_date": DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "shared_with": forms.SelectMultiple(attrs={"size": 6}),
        }


class ResponseForm(forms.Form):
    """A question's answer. Set-up fields (assignee, due date) only for those who run the
    assessment; levels come from the question's scale."""

    level = forms.ChoiceField(label="Score", required=False)
    not_applicable = forms.BooleanField(label="Not applicable to us", required=False)
    target_level = forms.ChoiceField(label="Target", required=False)
    target_date = forms.DateField(label="Target date", required=False, widget=DATE)
    strengths = forms.CharField(label="Strengths", required=False, widget=forms.Textarea(attrs={"rows": 4}))
    areas_for_improvement = forms.CharField(
        label="Areas for improvement", required=False, widget=forms.Textarea(attrs={"rows": 4})
    )
    assigned_to = forms.ModelChoiceField(label="Assigned to", required=False, queryset=User.objects.none())
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, response: Response, user, sets_up: bool, **kwargs):
        super().__init__(*args, **kwargs)
        scale = response.node.scale
        self.sets_up = sets_up
        self.fields["level"].choices = level_choices(scale, "Not scored yet")
        self.fields["target_level"].choices = level_choices(scale, "No target")
        self.fields["target_date"].help_text = response._meta.get_field("target_date").help_text
        if sets_up:
            people = User.objects.pickable_by(user)
            if response.assigned_to_id:
                people = people | User.objects.filter(pk=response.assigned_to_id)
            self.fields["assigned_to"].queryset = people.order_by("name", "pk")
        else:
            del self.fields["assigned_to"]
            del self.fields["due_date"]
        if not self.is_bound:
            self.initial.update(
                {
                    "level": "" if response.level is None else str(response.level),
                    "target_level": "" if response.target_level is None else str(response.target_level),
                    "not_applicable": response.not_applicable,
                    "target_date": response.target_date,
                    "strengths": response.strengths,
                    "areas_for_improvement": response.areas_for_improvement,
                    "assigned_to": response.assigned_to_id,
                    "due_date": response.due_date,
                    "version": response.version,
                }
            )

    def values(self) -> dict:
        data = self.cleaned_data
        values = {
            "level": _level(data["level"]),
            "target_level": _level(data["target_level"]),
            "not_applicable": data["not_applicable"],
            "target_date": data["target_date"],
            "strengths": data["strengths"].strip(),
            "areas_for_improvement": data["areas_for_improvement"].strip(),
            "expected_version": data["version"],
        }
        if self.sets_up:
            values["assigned_to"] = data["assigned_to"]
            values["due_date"] = data["due_date"]
        return values


class ModerationForm(forms.Form):
    level = forms.ChoiceField(label="Moderated score")
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed when the score changes.",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, response: Response, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["level"].choices = level_choices(response.node.scale, "Choose a score")
        if not self.is_bound:
            self.initial.update(
                {
                    "level": str(response.score) if response.score is not None else "",
                    "reason": response.moderation_reason,
                    "version": response.version,
                }
            )


class DocumentForm(forms.Form):
    file = forms.FileField(label="File")
    title = forms.CharField(label="Title", max_length=200, required=False, help_text="Blank: the file's name.")

    def __init__(self, *args, accepted: str, limit: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = f"One of {accepted}; at most {limit}."


class EvidenceLinkForm(forms.Form):
    """Link one piece of evidence: KIND says which of the fields is used."""

    kind = forms.ChoiceField(choices=[c for c in EvidenceLink.Kind.choices], widget=forms.HiddenInput)
    document = forms.ModelChoiceField(label="Document", required=False, queryset=None)
    indicator_code = forms.CharField(label="PI code", required=False, max_length=40)
    action_code = forms.CharField(label="Plan action code", required=False, max_length=40)
    response_assessment = forms.ModelChoiceField(
        label="In the assessment", required=False, queryset=None, empty_label="This assessment"
    )
    question_code = forms.CharField(label="Question code", required=False, max_length=60)
    url = forms.URLField(label="Web address", required=False, max_length=500, assume_scheme="https")
    note = forms.CharField(label="What it shows", required=False, max_length=300)

    def __init__(self, *args, response: Response, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.response = response
        self.user = user
        self.fields["document"].queryset = response.assessment.documents.order_by("title", "pk")
        self.fields["response_assessment"].queryset = (
            Assessment.objects.visible_to(user).filter(framework__key=response.assessment.framework.key)
        ).order_by("-assessed_on")

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == EvidenceLink.Kind.DOCUMENT and not data.get("document"):
            self.add_error("document", "Choose a document.")
        elif kind == EvidenceLink.Kind.INDICATOR:
            code = data.get("indicator_code", "").strip()
            data["indicator"] = Indicator.objects.visible_to(self.user).filter(code__iexact=code).first()
            if data["indicator"] is None:
                self.add_error("indicator_code", f"No PI you can see has the code “{code}”.")
        elif kind == EvidenceLink.Kind.PLAN_ITEM:
            code = data.get("action_code", "").strip()
            data["plan_item"] = PlanItem.objects.visible_to(self.user).filter(code__iexact=code).first()
            if data["plan_item"] is None:
                self.add_error("action_code", f"No plan item you can see has the code “{code}”.")
        elif kind == EvidenceLink.Kind.RESPONSE:
            assessment = data.get("response_assessment") or self.response.assessment
            code = data.get("question_code", "").strip()
            data["other_response"] = assessment.responses.filter(node__code__iexact=code).first()
            if data["other_response"] is None:
                self.add_error("question_code", f"{assessment.title} has no question “{code}”.")
        elif kind == EvidenceLink.Kind.URL and not data.get("url"):
            self.add_error("url", "Give the web address.")
        return data

    def values(self) -> dict:
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": kind,
            "document": data.get("document") if kind == EvidenceLink.Kind.DOCUMENT else None,
            "indicator": data.get("indicator"),
            "plan_item": data.get("plan_item"),
            "other_response": data.get("other_response"),
            "url": data.get("url", "") if kind == EvidenceLink.Kind.URL else "",
            "note": data.get("note", ""),
        }


class ImprovementActionForm(ScopedChoicesMixin, forms.Form):
    person_fields = ("assigned_to",)

    objective = forms.ModelChoiceField(
        label="Objective it serves", queryset=PlanItem.objects.none(), help_text="The action is created below it."
    )
    title = forms.CharField(label="Action", max_length=300)
    code = forms.CharField(
        label="Code", max_length=40, required=False, help_text="Blank: the next free code below the objective."
    )
    assigned_to = forms.ModelChoiceField(
        label="Assigned to",
        queryset=User.objects.none(),
        required=False,
        help_text="Blank: whoever answers the question (or you, if nobody is assigned to it).",
    )
    due_date = forms.DateField(label="Due date", required=False, widget=DATE)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        self.fields["objective"].queryset = (
            PlanItem.objects.visible_to(user).filter(kind=PlanItem.Kind.OBJECTIVE, active=True).order_by("code")
        )
        self.fields["objective"].label_from_instance = lambda item: f"{item.code} {item.title}"
        self.initial.setdefault("assigned_to", user.pk)

    def clean_code(self):
        code = self.cleaned_data["code"].strip()
        if code and PlanItem.objects.filter(code=code).exists():
            raise ValidationError(f"The code {code} is already used by another plan item.")
        return code


class LevelForm(forms.Form):
    value = forms.IntegerField(label="Value", min_value=0, max_value=100)
    label = forms.CharField(label="Label", max_length=100)
    descriptor = forms.CharField(label="Descriptor", max_length=2000, required=False)


LevelFormSet = forms.formset_factory(LevelForm, extra=5, max_num=10, min_num=2, validate_min=True)


class FrameworkForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200)
    key = forms.SlugField(
        label="Key",
        max_length=80,
        required=False,
        help_text="Blank: made from the name. An existing key makes a new version of that framework.",
    )
    publisher = forms.CharField(label="Publisher", max_length=200, required=False)
    description = forms.CharField(label="Description", required=False, widget=forms.Textarea(attrs={"rows": 3}))
    scale_name = forms.CharField(label="Scale name", max_length=200, initial="Judgement")
    compliance = forms.BooleanField(
        label="Yes/no compliance scale", required=False, help_text="Levels 0 (No) and 1 (Yes)."
    )

    def clean(self):
        data = super().clean()
        data["key"] = data.get("key") or slugify(data.get("name", ""))[:80]
        if not data["key"]:
            self.add_error("key", "Give a key (letters, numbers and hyphens).")
        return data


class NodeForm(forms.ModelForm):
    also_under = forms.ModelMultipleChoiceField(
        label="Also under",
        queryset=FrameworkNode.objects.none(),
        required=False,
        help_text="Other themes this cross-cutting question counts in (Ctrl to pick several).",
        widget=forms.SelectMultiple(attrs={"size": 6}),
    )

    class Meta:
        model = FrameworkNode
        fields = ["parent", "code", "title", "kind_label", "description", "guidance", "weight"]
        widgets = {
            "description": forms.Textarea(attrs={"rows": 3}),
            "guidance": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, framework: Framework, **kwargs):
        super().__init__(*args, **kwargs)
        self.framework = framework
        self.instance.framework = framework
        self.scale = framework.scales.order_by("position").first()
        if not self.instance.pk:
            self.instance.scale = self.scale
        nodes = FrameworkNode.objects.filter(framework=framework).order_by("lft")
        if self.instance.pk:
            nodes = nodes.exclude(pk__in=self.instance.get_descendants(include_self=True).values("pk"))
            self.initial.setdefault("also_under", list(self.instance.also_under.values_list("pk", flat=True)))
        self.fields["parent"].queryset = nodes
        self.fields["parent"].required = True
        self.fields["parent"].label_from_instance = lambda n: f"{'— ' * n.level}{n.code or n.title}"
        self.fields["code"].required = True
        self.fields["also_under"].queryset = nodes.exclude(parent=None)
        self.fields["also_under"].label_from_instance = lambda n: f"{n.code} {n.title}"
        for level in self.scale.levels:
            name = f"descriptor_{level['value']}"
            self.fields[name] = forms.CharField(
                label=f"What {level['label']} ({level['value']}) means here",
                required=False,
                widget=forms.Textarea(attrs={"rows": 2}),
            )
            self.initial.setdefault(name, self.instance.descriptors.get(str(level["value"]), ""))

    def clean(self):
        data = super().clean()
        self.instance.descriptors = {
            str(level["value"]): data[f"descriptor_{level['value']}"].strip()
            for level in self.scale.levels
            if data.get(f"descriptor_{level['value']}", "").strip()
        }
        return data
