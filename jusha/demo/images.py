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


def silhouette(seed: int) -> SimpleUploadedFile:
    """A drawn child's silhouette for a fictional missing-person case: never a real photo.
    Head and shoulders in one flat colour on a soft background, varied by seed; "示例"-free
    (no font needed): the pages and the notice say "demo" in words."""
    rng = random.Random(seed)
    width, height = 480, 640
    background = (rng.randint(210, 240), rng.randint(210, 240), rng.randint(215, 245))
    figure = (rng.randint(60, 110), rng.randint(70, 110), rng.randint(90, 130))
    image = Image.new("RGB", (width, height), background)
    draw = ImageDraw.Draw(image)
    head = rng.randint(82, 100)
    cx, cy = width // 2 + rng.randint(-20, 20), 250
    draw.ellipse([cx - head, cy - head * 1.15, cx + head, cy + head * 1.1], fill=figure)
    if rng.random() < 0.5:  # hair tied up, or a cap
        draw.ellipse([cx + head * 0.5, cy - head * 1.3, cx + head * 1.1, cy - head * 0.6], fill=figure)
    else:
        draw.pieslice([cx - head * 1.05, cy - head * 1.3, cx + head * 1.05, cy + head * 0.3], 180, 360, fill=figure)
    neck = head * 0.35
    draw.rectangle([cx - neck, cy + head * 0.9, cx + neck, cy + head * 1.4], fill=figure)
    draw.ellipse([cx - head * 2.1, cy + head * 1.25, cx + head * 2.1, cy + head * 4.2], fill=figure)
    return _png(image, f"silhouette-{seed}.png")
