from django import template

from jusha.transparency.receipts import receipt_check

register = template.Library()


@register.inclusion_tag("transparency/_receipt_proof.html")
def receipt_proof(donation):
    """The receipt's panel: the gift's place in the public log, checked just now."""
    return {"check": receipt_check(donation)}
