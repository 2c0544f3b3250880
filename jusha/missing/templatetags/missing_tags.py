"""`{% missing_notice %}`: the widget's tag with Jusha's own key (its 404 page)."""

from django import template
from django.conf import settings
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import get_language

register = template.Library()


@register.simple_tag
def missing_notice():
    return format_html(
        '<div class="missing-notice"><script async src="{}" data-site="{}" data-lang="{}"></script></div>',
        reverse("missing:script"), settings.JUSHA_MISSING_OWN_SITE_KEY, (get_language() or "zh-hans").lower(),
    )
