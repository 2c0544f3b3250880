"""What the donor is told, in plain and kind words (on their page and by e-mail). Never
blame: a student who goes quiet is most often ashamed or overwhelmed, not ungrateful."""

from django.utils.translation import gettext_lazy as _

SUBJECTS = {
    "report": _("A new report from the student you sponsor"),
    "letter": _("A letter from the student you sponsor"),
    "case_opened": _("We are checking in on the student you sponsor"),
    "case_closed": _("News from our follow-up with the student you sponsor"),
    "withdrawn": _("The student you sponsor has left the programme"),
    "term_completed": _("The term of your sponsorship has ended"),
    "month_due": _("The next month of your sponsorship is due"),
    "payments_failed": _("Your sponsorship is paused: the monthly payments did not go through"),
}

BODIES = {
    "report": _("The organisation has posted a new report. You can read it, and reply, on your sponsorship page."),
    "letter": _("The student has written to you. The organisation passed the letter on; you can read it on your sponsorship page."),
    "case_opened": _(
        "We have not heard from the student for a while. This happens: exams, a move, a hard time at home. "
        "Nobody is at fault. Our team is following up, and while we do, your monthly payments are paused. "
        "You may leave a few words for the student: we will pass them on when we reach them."
    ),
    "case_closed": _("Our follow-up is finished. Please see what we found, and your choices, on your sponsorship page."),
    "withdrawn": _(
        "The student has left the programme. Thank you for standing by them. Nothing more will be charged; "
        "please choose on your sponsorship page whether what is still held is refunded to you or goes to other students."
    ),
    "term_completed": _("The term has ended and the organisation has posted how it went. Thank you for these months."),
    "month_due": _("The next month of your sponsorship is due. You can pay it on your sponsorship page."),
    "payments_failed": _(
        "The monthly payments for your sponsorship have not gone through for three months. This happens: a card "
        "expires, a limit is reached. Nothing is lost: nothing was taken for those months, and what you gave before "
        "is still held for the student. The student is not told. On your sponsorship page you can carry on (the "
        "payments resume; the months missed are not charged), or end the sponsorship and choose whether what is "
        "held is refunded to you or goes to other students."
    ),
}
