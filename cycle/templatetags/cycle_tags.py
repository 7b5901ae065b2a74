from django import template

from cycle.digests import kind_label as label_of
from cycle.models import Notification

register = template.Library()


@register.simple_tag
def unread_notifications(user) -> int:
    """How many notifications USER has not read (0 for anonymous visitors)."""
    if not user.is_authenticated:
        return 0
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()


@register.filter
def kind_label(kind: str) -> str:
    return label_of(kind)
