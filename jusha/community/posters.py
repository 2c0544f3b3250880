"""A team's poster: social's poster (cover, QR code, progress) with the team's name and
progress instead of the project's, drawn as SVG so the server needs no font."""

from dataclasses import replace

from django.conf import settings
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from jusha.core.money import Money
from jusha.social import posters


def team_poster_svg(team, project, url: str) -> str:
    base = posters.poster(project, url)
    title = posters.xml_text(team.name)
    lines = posters.wrap(title, 18, 3)
    progress = _("Team %(raised)s raised of %(goal)s · %(percent)s%%") % {
        "raised": Money(team.raised, team.currency).display(), "goal": Money(team.goal, team.currency).display(),
        "percent": team.percent,
    }
    poster = replace(
        base, title=title, title_lines=[(390 + 40 * i, line) for i, line in enumerate(lines)],
        organisation=posters.xml_text(_("一起捐 · %(project)s") % {"project": project.title}),
        organisation_y=390 + 40 * len(lines), progress=progress, bar=team.percent,
    )
    return render_to_string("social/poster.svg", {"poster": poster, "W": posters.WIDTH, "H": posters.HEIGHT,
                                                  "SITE_NAME": settings.JUSHA_SITE_NAME})
