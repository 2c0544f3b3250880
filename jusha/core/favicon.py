"""The site's icon, drawn at start-up with Pillow (no binary in the repository, no font):
grains of sand gathered into a tower (聚沙成塔), white on the site's red."""

from functools import lru_cache
from io import BytesIO

from PIL import Image, ImageDraw

ACCENT = (192, 57, 43)  # --accent in static/jusha/site.css


def _draw(size: int) -> Image.Image:
    scale = 4  # drawn large, then scaled down smoothly
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((0, 0, big - 1, big - 1), radius=big // 5, fill=ACCENT)
    # Rows of grains, 1 at the top to 4 at the bottom: a tower of sand.
    rows, grain = 4, big // 9
    for row in range(rows):
        count = row + 1
        y = big * (row + 1.6) / (rows + 2.2)
        for i in range(count):
            x = big / 2 + (i - (count - 1) / 2) * grain * 2.1
            draw.ellipse((x - grain, y - grain, x + grain, y + grain), fill=(255, 255, 255, 255))
    return image.resize((size, size), Image.LANCZOS)


@lru_cache(maxsize=1)
def favicon_ico() -> bytes:
    out = BytesIO()
    _draw(64).save(out, format="ICO", sizes=[(16, 16), (32, 32), (48, 48), (64, 64)])
    return out.getvalue()
