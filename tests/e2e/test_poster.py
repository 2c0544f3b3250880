"""The share poster as a PNG a phone can keep: drawn in the browser on a canvas with the
phone's own fonts, shown in place of the SVG for long-press saving, 1080 × 1728 px, with
the QR code of the visitor's link drawn module for module from the server's matrix."""

import base64
import io

import pytest
from PIL import Image

from jusha.social.models import ShareLink
from jusha.social.posters import qr_matrix
from tests.factories import make_project

pytestmark = pytest.mark.django_db(transaction=True)


def poster_png(page):
    page.locator("[data-testid=make-link]").click()
    page.wait_for_selector("img[data-testid=poster-image][data-format=png]")
    src = page.locator("img[data-testid=poster-image]").get_attribute("src")
    assert src.startswith("data:image/png;base64,")
    assert page.locator("[data-testid=poster-hint]").is_visible()
    save = page.locator("[data-testid=poster-save]")
    assert save.is_visible() and save.get_attribute("href") == src
    return Image.open(io.BytesIO(base64.b64decode(src.split(",", 1)[1])))


def test_the_canvas_poster_is_a_png_with_a_scannable_qr_code(page, live_server):
    project = make_project(title="给听不清的老人一副助听器" * 8)  # a very long title: cut to three lines with …
    page.goto(f"{live_server.url}/s/share/{project.slug}/")
    image = poster_png(page)
    assert image.format == "PNG" and image.size == (1080, 1728)

    link = ShareLink.objects.get()
    matrix = qr_matrix(f"{live_server.url}/s/{link.code}")
    n = len(matrix)
    module = 500 // (n + 8)  # poster.js: a 500 px square, a quiet zone of four modules
    left = top = None
    # Find the QR's white square: the first pure-white run at the poster's left margin below the text.
    pixels = image.convert("RGB")
    for y in range(1100, 1400):
        if pixels.getpixel((45, y)) == (255, 255, 255):
            left, top = 40, y
            break
    assert top is not None, "no QR code square found"
    off = 4 * module
    wrong = 0
    for r in range(n):
        for c in range(n):
            x, y = left + off + c * module + module // 2, top + off + r * module + module // 2
            dark = pixels.getpixel((x, y))[0] < 128
            wrong += dark != matrix[r][c]
    assert wrong == 0, f"{wrong} of {n * n} QR modules differ from the server's matrix"
    # The quiet zone around it is white.
    assert all(pixels.getpixel((left + 2, top + k * module)) == (255, 255, 255) for k in range(n + 8))

    # Readable at phone size: shown about 360 px wide on a 390 px phone, the call to action
    # (64 px on the canvas) is above 20 px on the screen.
    shown = page.locator("img[data-testid=poster-image]").bounding_box()["width"]
    assert shown >= 340 and 64 * shown / 1080 >= 20
