"""Share posters and preview cards, drawn on the server.

- The poster is SVG: cover (or a plain coloured panel), title, progress and the QR code of
  the link. Its text uses the viewer's fonts, so the server needs none; the cover is
  embedded as a small JPEG (an SVG shown as an image may not load anything else).
- A PNG poster needs glyphs on the server: only where JUSHA_POSTER_FONT names a font file
  with CJK glyphs.
- The preview card (og:image) is a PNG without text, so it needs no font either: cover or
  panel, and the progress bar. Chat apps put the title beside it from the Open Graph tags.

The SVG is XML, not HTML: the template's autoescaping turns `<`, `>`, `&` and quotes in a
title or name into entities (valid XML), and `xml_text` drops the characters XML 1.0 cannot
carry at all (most control characters), which would otherwise make the whole poster fail to
load.
"""

from __future__ import annotations

import base64
import io
import re
import unicodedata
from dataclasses import dataclass

import qrcode
from django.conf import settings
from django.core.cache import cache
from django.template.loader import render_to_string
from django.utils.translation import gettext as _
from PIL import Image, ImageDraw, ImageFont

from jusha.core.money import Money

ACCENT = (192, 57, 43)
TRACK = (240, 230, 220)
WIDTH, HEIGHT = 600, 960
COVER_HEIGHT = 338
CARD = (1200, 630)


@dataclass(frozen=True)
class Poster:
    title: str
    title_lines: list[tuple[int, str]]  # (baseline y, text)
    organisation: str
    organisation_y: int
    progress: str
    bar: int  # 0..100
    url: str
    qr_size: int
    qr_path: str  # SVG path data, one unit per QR module
    cover: str | None  # data: URI of the cover, or None for the plain panel
    site: str


# Characters outside XML 1.0's Char production: C0 controls but tab, LF and CR; surrogates;
# U+FFFE and U+FFFF. Not even a character reference may name them.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ud800-\udfff\ufffe\uffff]")


def xml_text(text: str) -> str:
    """User text as an XML document can hold it (escaping is left to the template)."""
    return _NOT_XML.sub("", text or "")


def qr_matrix(url: str) -> list[list[bool]]:
    qr = qrcode.QRCode(border=0, error_correction=qrcode.constants.ERROR_CORRECT_M)
    qr.add_data(url)
    qr.make(fit=True)
    return qr.get_matrix()


def qr_path(matrix: list[list[bool]]) -> str:
    """The dark modules as one SVG path, a rectangle per horizontal run."""
    parts = []
    for y, row in enumerate(matrix):
        x = 0
        while x < len(row):
            if row[x]:
                run = 1
                while x + run < len(row) and row[x + run]:
                    run += 1
                parts.append(f"M{x} {y}h{run}v1h-{run}z")
                x += run
            else:
                x += 1
    return "".join(parts)


def _em(char: str) -> float:
    return 1.0 if unicodedata.east_asian_width(char) in "WF" else 0.55


def wrap(text: str, width_em: float, max_lines: int) -> list[str]:
    """Break a title into lines of about `width_em` ems (a CJK character is one em, other
    characters about half; Latin words are kept whole), ending the last line with … if
    the title is cut short."""
    lines, line = [], ""
    for char in " ".join(text.split()):
        if sum(map(_em, line + char)) > width_em and line:
            head, space, tail = line.rpartition(" ")
            if space and char != " " and head:
                lines.append(head)
                line = tail
            else:
                lines.append(line.rstrip())
                line = ""
            if len(lines) == max_lines:
                lines[-1] = lines[-1][:-1] + "…"
                return lines
        if line or char != " ":
            line += char
    if line:
        lines.append(line)
    return lines


def cover_jpeg(project, size: tuple[int, int]) -> bytes | None:
    """The cover cropped to `size`, as JPEG (cached), or None without one (or if its file
    is gone or unreadable)."""
    if not project.cover:
        return None
    key = f"social:cover:{project.cover.name}:{size[0]}x{size[1]}"
    data = cache.get(key)
    if data is None:
        try:
            with project.cover.open("rb") as handle, Image.open(handle) as image:
                image = image.convert("RGB")
                scale = max(size[0] / image.width, size[1] / image.height)
                image = image.resize((max(1, round(image.width * scale)), max(1, round(image.height * scale))))
                left, top = (image.width - size[0]) // 2, (image.height - size[1]) // 2
                out = io.BytesIO()
                image.crop((left, top, left + size[0], top + size[1])).save(out, "JPEG", quality=80)
                data = out.getvalue()
        except (OSError, ValueError):
            return None
        cache.set(key, data, 24 * 3600)
    return data


def cover_image(project, size: tuple[int, int]) -> Image.Image | None:
    data = cover_jpeg(project, size)
    return Image.open(io.BytesIO(data)) if data else None


def progress_text(project) -> str:
    return _("%(raised)s raised of %(goal)s · %(percent)s%%") % {
        "raised": Money(project.raised, project.currency).display(),
        "goal": project.goal_money.display(),
        "percent": project.percent,
    }


def poster(project, url: str, *, embed_cover: bool = True) -> Poster:
    """`project` with its figures attached (projects.selectors.project_cards)."""
    matrix = qr_matrix(url)
    title, organisation = xml_text(project.title), xml_text(project.organisation.name)
    lines = wrap(title, 18, 3)
    cover = cover_jpeg(project, (WIDTH, COVER_HEIGHT)) if embed_cover else None
    uri = "data:image/jpeg;base64," + base64.b64encode(cover).decode() if cover else None
    return Poster(
        title=title, title_lines=[(390 + 40 * i, line) for i, line in enumerate(lines)],
        organisation=organisation, organisation_y=390 + 40 * len(lines), progress=progress_text(project),
        bar=project.bar, url=url, qr_size=len(matrix), qr_path=qr_path(matrix), cover=uri,
        site=settings.JUSHA_SITE_NAME,
    )


def poster_canvas(project, url: str) -> dict:
    """What the share page's script (social/poster.js) draws the PNG poster from, in the
    reader's browser with the phone's own fonts, so the server needs no font: the texts,
    the progress, the cover's address and the QR code's modules ("1" dark, rows joined by
    ","), the same matrix as the SVG poster's."""
    matrix = qr_matrix(url)
    return {
        "title": xml_text(project.title),
        "organisation": xml_text(project.organisation.name),
        "progress": progress_text(project),
        "bar": project.bar,
        "url": url,
        "site": settings.JUSHA_SITE_NAME,
        "qr": ",".join("".join("1" if cell else "0" for cell in row) for row in matrix),
        "cover": project.cover.url if project.cover else "",
        "cta": _("Scan to give"),
        "cta2": _("and pass it on: 爱心接力"),
        "tagline": _("Small gifts, gathered through friends"),
    }


def poster_svg(project, url: str) -> str:
    return render_to_string("social/poster.svg", {"poster": poster(project, url), "W": WIDTH, "H": HEIGHT})


def poster_png(project, url: str) -> bytes | None:
    """The same poster as PNG, or None when no CJK font is configured."""
    if not settings.JUSHA_POSTER_FONT:
        return None
    data = poster(project, url, embed_cover=False)

    def font(size):
        return ImageFont.truetype(settings.JUSHA_POSTER_FONT, size)

    image = Image.new("RGB", (WIDTH, HEIGHT), (255, 253, 249))
    draw = ImageDraw.Draw(image)
    cover = cover_image(project, (WIDTH, COVER_HEIGHT))
    if cover is not None:
        image.paste(cover, (0, 0))
    else:
        draw.rectangle((0, 0, WIDTH, COVER_HEIGHT), fill=ACCENT)
        draw.text((WIDTH // 2, COVER_HEIGHT // 2), "聚沙", font=font(72), fill="white", anchor="mm")
    for y, line in data.title_lines:
        draw.text((24, y), line, font=font(30), fill=(34, 34, 34), anchor="ls")
    grey = (102, 102, 102)
    draw.text((24, data.organisation_y), data.organisation, font=font(18), fill=grey, anchor="ls")
    _progress(draw, 24, 530, WIDTH - 48, 12, data.bar)
    draw.text((24, 574), data.progress, font=font(20), fill=(34, 34, 34), anchor="ls")
    _qr(draw, qr_matrix(url), 24, 640, 220)
    draw.text((270, 700), _("Scan to give"), font=font(26), fill=ACCENT, anchor="ls")
    draw.text((270, 736), _("and pass it on: 爱心接力"), font=font(18), fill=grey, anchor="ls")
    draw.text((270, 776), url, font=font(14), fill=grey, anchor="ls")
    draw.text((24, 930), data.site, font=font(16), fill=grey, anchor="ls")
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def card_png(project) -> bytes:
    """The preview card for chat apps (og:image, 1200 × 630): no text, so no font needed."""
    band = 70
    image = Image.new("RGB", CARD, ACCENT)
    cover = cover_image(project, (CARD[0], CARD[1] - band))
    draw = ImageDraw.Draw(image)
    if cover is not None:
        image.paste(cover, (0, 0))
    else:  # 聚沙成塔: grains of sand gathered into a tower
        for row in range(9):
            for i in range(row + 1):
                x, y = CARD[0] // 2 + (i - row / 2) * 44, 90 + row * 44
                draw.ellipse((x - 16, y - 16, x + 16, y + 16), fill=(232, 121, 107))
    draw.rectangle((0, CARD[1] - band, CARD[0], CARD[1]), fill=(255, 253, 249))
    _progress(draw, 40, CARD[1] - band + 25, CARD[0] - 80, 20, project.bar)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()


def _progress(draw, x, y, width, height, bar):
    draw.rounded_rectangle((x, y, x + width, y + height), radius=height // 2, fill=TRACK)
    if bar > 0:
        draw.rounded_rectangle((x, y, x + max(height, width * bar // 100), y + height), radius=height // 2, fill=ACCENT)


def _qr(draw, matrix, x, y, size):
    n = len(matrix)
    quiet = 2
    cell = size / (n + 2 * quiet)
    draw.rectangle((x, y, x + size, y + size), fill="white")
    for r, row in enumerate(matrix):
        for c, dark in enumerate(row):
            if dark:
                left, top = x + (c + quiet) * cell, y + (r + quiet) * cell
                draw.rectangle((left, top, left + cell, top + cell), fill="black")
