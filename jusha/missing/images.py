"""A case's photos: the uploaded one re-encoded without metadata (core.uploads), and the
notice's small copy, 240×320 (a 2× image for a 120×160 box), JPEG of at most 30 KB."""

from __future__ import annotations

import io
import uuid

from django.core.files.base import ContentFile
from PIL import Image, ImageOps

NOTICE_SIZE = (240, 320)
NOTICE_MAX_BYTES = 30 * 1024


def notice_copy(data: bytes) -> ContentFile:
    with Image.open(io.BytesIO(data)) as image:
        image = ImageOps.fit(image.convert("RGB"), NOTICE_SIZE, Image.Resampling.LANCZOS)
        for quality in (80, 70, 60, 50, 40, 30):
            out = io.BytesIO()
            image.save(out, "JPEG", quality=quality, optimize=True, progressive=True)
            if out.tell() <= NOTICE_MAX_BYTES:
                break
    return ContentFile(out.getvalue(), name=f"{uuid.uuid4().hex}.jpg")
