from django import template

register = template.Library()


@register.inclusion_tag("transparency/_receipt_proof.html", takes_context=True)
def receipt_proof(context, donation):
    """The receipt's panel: the gift's place in the public log, checked just now. The page
    passes `receipt_check` (receipts.receipt_check(donation)); the tag only draws it."""
    return {"check": context["receipt_check"]}
