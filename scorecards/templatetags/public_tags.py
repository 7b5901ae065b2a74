"""The public pages' status badge: the same shape and colour as every other page, with the plain-English
word of `scorecards.publishing.PUBLIC_STATUS` (never colour alone)."""

from django import template
from django.utils.safestring import mark_safe

from indicators import rules
from indicators.templatetags.indicator_tags import badge_html
from scorecards.publishing import PUBLIC_STATUS

register = template.Library()

_BADGES = {status: badge_html(status, word.word) for status, word in PUBLIC_STATUS.items()}


def public_badge_html(status: str | None) -> str:
    return _BADGES.get(status, _BADGES[rules.UNKNOWN])


@register.simple_tag
def public_badge(status):
    return mark_safe(public_badge_html(status))  # built from constant words, escaped by badge_html
