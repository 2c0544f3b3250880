from django import template
from django.template.loader import render_to_string

from jusha.ratings.rules import grade_css

register = template.Library()


@register.simple_tag
def grade_badge(organisation, snapshot, big=False):
    """The grade badge (or "not enough history yet"), drawn from what the section passed."""
    return render_to_string("ratings/_grade.html", {
        "organisation": organisation, "snapshot": snapshot, "big": big,
        "grade_css": grade_css(snapshot.grade) if snapshot and snapshot.grade else "",
    })


@register.filter
def points(value, decimals=0):
    """A score out of 100 (not money), with `decimals` places; "—" for none."""
    if value is None or value == "":
        return "—"
    return f"{float(value):.{int(decimals)}f}"
