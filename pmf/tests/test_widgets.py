"""PlainSelect writes the select Django's Select writes, in one pass."""

from django import forms

from pmf.widgets import PlainSelect


class _Form(forms.Form):
    unit = forms.TypedChoiceField(
        label="Organisation unit",
        required=False,
        coerce=int,
        choices=[("", "Any unit"), (1, "Rents & <Income>"), (2, "Repairs")],
        widget=PlainSelect,
    )


def test_plain_select_marks_the_chosen_option_and_escapes_labels():
    html = str(_Form({"unit": "2"})["unit"])
    assert html == (
        '<select id="id_unit" name="unit">'
        '<option value="">Any unit</option>'
        '<option value="1">Rents &amp; &lt;Income&gt;</option>'
        '<option value="2" selected>Repairs</option>'
        "</select>"
    )


def test_plain_select_with_nothing_chosen_selects_nothing():
    assert " selected" not in str(_Form()["unit"])
