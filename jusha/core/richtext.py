"""Sanitising user-written rich text (project stories, progress updates) with nh3."""

import html

import nh3
from django.utils.translation import gettext as _

from jusha.core.errors import Invalid

ALLOWED_TAGS = {
    "p", "br", "strong", "b", "em", "i", "u", "s", "ul", "ol", "li",
    "h2", "h3", "h4", "blockquote", "a", "hr", "table", "thead", "tbody", "tr", "th", "td",
}
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}, "th": {"scope"}}


def sanitize_html(html: str) -> str:
    """Keep a small set of formatting tags; drop scripts, styles, event handlers and images."""
    return nh3.clean(
        html or "",
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow ugc",
        strip_comments=True,
    )


def plain_text(text: str) -> str:
    """Names and messages are plain text: strip every tag, keep the words."""
    return html.unescape(nh3.clean(text or "", tags=set())).strip()


def text_field(value, *, limit: int, label, required: bool = True) -> str:
    """What someone typed into a named field, as plain text: required (unless not) and at
    most `limit` characters, else Invalid with the field's name."""
    text = plain_text(value)
    if required and not text:
        raise Invalid(_("%(field)s is required.") % {"field": label}, code="field_required", extra={"field": label})
    if len(text) > limit:
        raise Invalid(
            _("%(field)s is longer than %(limit)d characters.") % {"field": label, "limit": limit},
            code="field_too_long",
            extra={"field": label},
        )
    return text
