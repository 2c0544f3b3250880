"""Pictures for the demo, drawn with Pillow (no fonts or downloads needed)."""

import io
import random

from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image, ImageDraw

from jusha.core.money import Money


def cover(seed: int, palette: tuple[tuple[int, int, int], tuple[int, int, int]]) -> SimpleUploadedFile:
    rng = random.Random(seed)
    width, height = 960, 540
    image = Image.new("RGB", (width, height), palette[0])
    draw = ImageDraw.Draw(image)
    top, bottom = palette
    for y in range(height):
        t = y / height
        draw.line([(0, y), (width, y)], fill=tuple(int(top[i] * (1 - t) + bottom[i] * t) for i in range(3)))
    for _ in range(14):
        x, y, r = rng.randint(0, width), rng.randint(0, height), rng.randint(20, 90)
        draw.ellipse([x - r, y - r, x + r, y + r], outline=(255, 255, 255), width=3)
    return _png(image, f"cover-{seed}.png")


def photo(seed: int) -> SimpleUploadedFile:
    rng = random.Random(seed)
    image = Image.new("RGB", (640, 480), (rng.randint(120, 220), rng.randint(120, 220), rng.randint(120, 220)))
    draw = ImageDraw.Draw(image)
    for _ in range(6):
        x, y = rng.randint(0, 560), rng.randint(0, 400)
        draw.rectangle([x, y, x + rng.randint(40, 160), y + rng.randint(40, 120)], fill=(rng.randint(0, 255), 80, 60))
    return _png(image, f"photo-{seed}.png")


def voucher(number: str, amount: Money) -> SimpleUploadedFile:
    image = Image.new("RGB", (800, 500), (255, 255, 250))
    draw = ImageDraw.Draw(image)
    draw.rectangle([20, 20, 780, 480], outline=(180, 30, 30), width=4)
    lines = ["INVOICE / FAPIAO (demo)", f"No. {number}", f"Amount: {amount.currency} {amount.major()}", "Jusha demo voucher"]
    for i, text in enumerate(lines):
        draw.text((60, 70 + i * 60), text, fill=(20, 20, 20))
    return _png(image, f"voucher-{number}.png")


def pdf_voucher(number: str, amount: Money) -> SimpleUploadedFile:
    text = f"Demo invoice {number} {amount.currency} {amount.major()}"
    stream = f"BT /F1 18 Tf 60 700 Td ({text}) Tj ET".encode()
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    out = io.BytesIO()
    out.write(b"%PDF-1.4\n")
    offsets = []
    for i, body in enumerate(objects, start=1):
        offsets.append(out.tell())
        out.write(b"%d 0 obj\n" % i + body + b"\nendobj\n")
    xref = out.tell()
    out.write(b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1))
    for offset in offsets:
        out.write(b"%010d 00000 n \n" % offset)
    out.write(b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (len(objects) + 1, xref))
    return SimpleUploadedFile(f"invoice-{number}.pdf", out.getvalue(), content_type="application/pdf")


def signature(seed: int) -> SimpleUploadedFile:
    """A recipient's scribbled signature, on white (delivery confirmations)."""
    rng = random.Random(seed)
    image = Image.new("RGB", (360, 120), (255, 255, 255))
    points = [(20 + i * 16, 60 + rng.randint(-35, 35)) for i in range(20)]
    ImageDraw.Draw(image).line(points, fill=(20, 20, 90), width=3)
    return _png(image, f"signature-{seed}.png")


def _png(image: Image.Image, name: str) -> SimpleUploadedFile:
    out = io.BytesIO()
    image.save(out, "PNG")
    return SimpleUploadedFile(name, out.getvalue(), content_type="image/png")
