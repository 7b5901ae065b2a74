from django import template
from django.urls import reverse

from pmf.history import recent_history

register = template.Library()


@register.inclusion_tag("pmf/_history_panel.html")
def history_panel(obj, limit=5):
    """The latest changes to OBJ with a link to its full audit trail."""
    return {
        "entries": recent_history(obj, limit),
        "history_url": reverse("history", kwargs={"model_label": obj._meta.label_lower, "pk": obj.pk}),
    }


@register.simple_tag
def history_url(obj):
    return reverse("history", kwargs={"model_label": obj._meta.label_lower, "pk": obj.pk})
