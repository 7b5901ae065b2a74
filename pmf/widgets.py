"""Form widgets for long lists (hundreds of units or people in a filter)."""

from django import forms
from django.forms.utils import flatatt
from django.utils.html import format_html, format_html_join
from django.utils.safestring import mark_safe

_SELECTED = mark_safe(" selected")


class PlainSelect(forms.Select):
    """A select whose options are written in one pass (Django's Select renders a template for each
    option: 600 options cost a large landlord's filter form 20 ms a request). Give it plain
    (value, label) choices, e.g. from `values_list`, rather than a ModelChoiceField's iterator,
    which builds a model instance per option; a ModelChoiceField still validates against its
    queryset when only its widget's choices are replaced. No option groups."""

    def render(self, name, value, attrs=None, renderer=None):
        chosen = {str(item) for item in (value if isinstance(value, list | tuple) else [value]) if item is not None}
        options = format_html_join(
            "",
            '<option value="{}"{}>{}</option>',
            (
                ("" if key is None else key, _SELECTED if str("" if key is None else key) in chosen else "", label)
                for key, label in self.choices
            ),
        )
        return format_html(
            "<select{}>{}</select>", flatatt(self.build_attrs(self.attrs, {**(attrs or {}), "name": name})), options
        )
