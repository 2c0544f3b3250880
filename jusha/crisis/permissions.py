"""Loading crisis records on someone's behalf. Only responders and crisis supervisors see
anything; every refusal and every view of a case is audit-logged."""

from __future__ import annotations

import logging

from django.utils.translation import gettext as _

from jusha.core.audit import audit_record
from jusha.core.errors import Forbidden, NotFound
from jusha.crisis.models import Case, Responder

log = logging.getLogger(__name__)
READERS = {Responder.Role.RESPONDER, Responder.Role.SUPERVISOR}


def crisis_role(user) -> str:
    if not getattr(user, "is_authenticated", False):
        return ""
    responder = Responder.objects.filter(user=user).only("role").first()
    return responder.role if responder else ""


def access_queue(*, user) -> str:
    """The viewer's crisis role; refuses (and logs the refusal) anyone else."""
    role = crisis_role(user)
    if role not in READERS:
        audit_record(actor=user, action="crisis.denied", data={"what": "queue"})
        log.warning("crisis: access to the queue refused for user %s", getattr(user, "pk", None))
        raise Forbidden(_("Only crisis responders and supervisors see this."), code="crisis_forbidden")
    return role


def access_case(*, user, case_id: int, purpose: str = "view") -> Case:
    """The case with `viewer_role` and `may_see_author` set; every access is audit-logged."""
    role = crisis_role(user)
    if role not in READERS:
        audit_record(actor=user, action="crisis.denied", data={"what": "case", "case": case_id})
        log.warning("crisis: access to case %s refused for user %s", case_id, getattr(user, "pk", None))
        raise Forbidden(_("Only crisis responders and supervisors see this."), code="crisis_forbidden")
    case = Case.objects.select_related("source", "claimed_by").filter(pk=case_id).first()
    if case is None:
        raise NotFound(_("There is no such case."), code="crisis_case_unknown")
    case.viewer_role = role
    case.may_see_author = role == Responder.Role.SUPERVISOR or (case.claimed_by_id == user.pk and case.status == Case.Status.CLAIMED)
    audit_record(actor=user, action=f"crisis.case_{purpose}", target=case, data={"author_shown": case.may_see_author})
    return case


def access_sources(*, user):
    if not (user.is_authenticated and (user.is_staff or crisis_role(user) == Responder.Role.SUPERVISOR)):
        raise Forbidden(_("Only crisis supervisors manage sources."), code="crisis_forbidden")


def access_team(*, user) -> str:
    """The crisis team page: platform staff (who appoint supervisors) and supervisors (who grant
    the responder role). Returns the viewer's crisis role ("" for staff without one)."""
    role = crisis_role(user)
    if not (user.is_authenticated and (user.is_staff or role == Responder.Role.SUPERVISOR)):
        audit_record(actor=user, action="crisis.denied", data={"what": "team"})
        raise Forbidden(_("Only platform staff and crisis supervisors manage the crisis team."), code="crisis_forbidden")
    return role
