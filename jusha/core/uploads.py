"""Uploaded files: type-sniffed from their bytes (never their name or declared type),
size-capped, images re-encoded without EXIF/GPS metadata. SVG is never accepted.
"""

from __future__ import annotations

import hashlib
import io
import os
import uuid
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from jusha.core.errors import Invalid, TooLarge

IMAGE_FORMATS = {"JPEG": ("jpg", "image/jpeg"), "PNG": ("png", "image/png"), "WEBP": ("webp", "image/webp")}
MAX_PIXELS = 40_000_000
MAX_SIDE = 4096


@dataclass
class CleanFile:
    content: ContentFile
    content_type: str
    sha256: str
    size: int


def _read_capped(upload) -> bytes:
    cap = settings.JUSHA_UPLOAD_MAX_BYTES
    if getattr(upload, "size", 0) and upload.size > cap:
        raise TooLarge(_("The file is larger than %(mb)d MB.") % {"mb": cap // (1024 * 1024)}, code="file_too_large")
    data = upload.read(cap + 1)
    if len(data) > cap:
        raise TooLarge(_("The file is larger than %(mb)d MB.") % {"mb": cap // (1024 * 1024)}, code="file_too_large")
    if not data:
        raise Invalid(_("The file is empty."), code="file_empty")
    return data


def clean_image(upload) -> CleanFile:
    """Accept JPEG, PNG or WebP by content; return it re-encoded, metadata removed."""
    data = _read_capped(upload)
    Image.MAX_IMAGE_PIXELS = MAX_PIXELS
    try:
        with Image.open(io.BytesIO(data)) as probe:
            fmt = probe.format
            probe.verify()
        if fmt not in IMAGE_FORMATS:
            raise Invalid(_("Only JPEG, PNG or WebP images are accepted."), code="file_type")
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image)
            image.thumbnail((MAX_SIDE, MAX_SIDE))
            out = io.BytesIO()
            if fmt == "JPEG":
                image.convert("RGB").save(out, "JPEG", quality=85, optimize=True)
            elif fmt == "PNG":
                image.save(out, "PNG", optimize=True)
            else:
                image.save(out, "WEBP", quality=85)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise Invalid(_("The file is not an image we can read (JPEG, PNG or WebP)."), code="file_type") from exc
    ext, content_type = IMAGE_FORMATS[fmt]
    clean = out.getvalue()
    return CleanFile(
        content=ContentFile(clean, name=f"{uuid.uuid4().hex}.{ext}"),
        content_type=content_type,
        sha256=hashlib.sha256(clean).hexdigest(),
        size=len(clean),
    )


def clean_voucher(upload) -> CleanFile:
    """A voucher is an image (re-encoded) or a PDF (kept byte for byte, checked by magic)."""
    head = upload.read(5)
    upload.seek(0)
    if head == b"%PDF-":
        data = _read_capped(upload)
        if b"%%EOF" not in data[-2048:]:
            raise Invalid(_("The PDF file is damaged or incomplete."), code="file_type")
        return CleanFile(
            content=ContentFile(data, name=f"{uuid.uuid4().hex}.pdf"),
            content_type="application/pdf",
            sha256=hashlib.sha256(data).hexdigest(),
            size=len(data),
        )
    return clean_image(upload)


class PrivateStorage(FileSystemStorage):
    """Files that are never public (delivery signatures, sighting photos): under
    JUSHA_PRIVATE_ROOT, outside MEDIA_ROOT, so the /media/ view cannot serve them; only
    the owning app's views do, to those allowed, audited. The folder is read from settings
    when used."""

    @property
    def base_location(self):
        return settings.JUSHA_PRIVATE_ROOT

    @property
    def location(self):
        return os.path.abspath(self.base_location)


def private_storage():
    return PrivateStorage()
