"""Sanitising user-written rich text (project stories, progress updates) with nh3."""

import html
import re

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


_BLOCK = re.compile(r"<\s*(p|ul|ol|h[2-4]|blockquote|table|hr|br)\b", re.IGNORECASE)


def paragraphs(text: str) -> str:
    """Text typed into a plain box keeps its shape: with no block tags in it, blank lines
    part paragraphs (<p>) and single line breaks stay (<br>). HTML with paragraphs of its
    own is left as it is. Escaping is sanitize_html's work, after this."""
    text = (text or "").replace("\r\n", "\n").replace("\r", "\n").strip()
    if not text or _BLOCK.search(text):
        return text
    parts = [part.strip() for part in re.split(r"\n\s*\n", text) if part.strip()]
    return "".join("<p>" + "<br>".join(line.strip() for line in part.split("\n")) + "</p>" for part in parts)


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
