"""What the crisis app adds to lower apps' pages."""

from jusha.core.sections import Section
from jusha.crisis.permissions import crisis_role


def account_page(user):
    """A member's account page: the way to the crisis queue for responders and supervisors,
    and to the crisis team for supervisors and platform staff. Nothing for anyone else."""
    role = crisis_role(user)
    if not role and not user.is_staff:
        return None
    return Section("roles", "crisis/_account.html", {"crisis_role": role, "manages_team": user.is_staff or role == "supervisor"})
