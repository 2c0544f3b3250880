from django import template

from jusha.transparency.receipts import receipt_check

register = template.Library()


@register.inclusion_tag("transparency/_receipt_proof.html", takes_context=True)
def receipt_proof(context, donation):
    """The receipt's panel: the gift's place in the public log, checked just now. The page
    passes `receipt_check` (receipts.receipt_check(donation)) and the tag only draws it; a
    page that does not pass it yet has it checked here."""
    check = context["receipt_check"] if "receipt_check" in context else receipt_check(donation)
    return {"check": check}
