"""The preview image that chat apps (WeChat, Weibo, …) show beside a giving day's link
(og:image, 1200 × 630 PNG). No text on it, so the server needs no CJK font: the title and
description travel in the Open Graph tags beside it."""

import io

from PIL import Image, ImageDraw

SIZE = (1200, 630)
ACCENT = (192, 57, 43)
GRAIN = (253, 227, 223)


def card_png(campaign) -> bytes:
    """聚沙成塔: grains of sand gathered into a tower, on the giving day's red. The same for
    every campaign of one day would do; the grains' count follows the campaign's length in
    days (at most nine rows), so that two campaigns' cards are told apart."""
    image = Image.new("RGB", SIZE, ACCENT)
    draw = ImageDraw.Draw(image)
    days = max(1, (campaign.ends_at - campaign.starts_at).days) if campaign.ends_at and campaign.starts_at else 1
    rows = min(9, 4 + days)
    top = (SIZE[1] - rows * 56) // 2 + 20
    for row in range(rows):
        for i in range(row + 1):
            x, y = SIZE[0] // 2 + (i - row / 2) * 56, top + row * 56
            draw.ellipse((x - 20, y - 20, x + 20, y + 20), fill=GRAIN)
    out = io.BytesIO()
    image.save(out, "PNG", optimize=True)
    return out.getvalue()
