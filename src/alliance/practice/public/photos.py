"""Practitioner photos: checked, re-encoded without metadata, and served only when published.

An upload must be a JPEG, PNG or WebP image (decided by Pillow reading the file, not by its
name or the browser's content type) of at most ``MAX_PHOTO_BYTES`` and ``MAX_PIXELS``. It is
re-encoded at most ``MAX_SIDE`` pixels on its longer side, in its own format, which drops
EXIF data (camera, time, GPS position) and anything appended to the image, and stored under a
random name.
"""

from __future__ import annotations

import io
import secrets

from django import forms
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from PIL import Image, ImageOps, UnidentifiedImageError

MAX_PHOTO_BYTES = 3 * 1024 * 1024
MAX_PIXELS = 25_000_000
MAX_SIDE = 800
FORMATS = {
    "JPEG": ("jpg", "image/jpeg"),
    "PNG": ("png", "image/png"),
    "WEBP": ("webp", "image/webp"),
}
EXTENSIONS = {ext: content_type for ext, content_type in FORMATS.values()} | {"jpeg": "image/jpeg"}


def content_type_of(name: str) -> str:
    return EXTENSIONS.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")


def normalise_photo(upload: UploadedFile) -> ContentFile[bytes]:
    """The upload re-encoded (see the module docstring), or a ValidationError naming what
    is allowed."""
    allowed = "a JPEG, PNG or WebP image"
    if upload.size is not None and upload.size > MAX_PHOTO_BYTES:
        raise forms.ValidationError(
            f"The photo is {upload.size // 1024} KB; at most {MAX_PHOTO_BYTES // 1024} KB "
            "is allowed."
        )
    try:
        upload.seek(0)
        with Image.open(upload) as probe:
            kind = probe.format or ""
            width, height = probe.size
            if kind not in FORMATS:
                raise forms.ValidationError(f"The photo must be {allowed}, not {kind or 'this'}.")
            if width * height > MAX_PIXELS:
                raise forms.ValidationError(
                    f"The photo has {width}x{height} pixels; at most {MAX_PIXELS:,} are allowed."
                )
            probe.load()
            image = ImageOps.exif_transpose(probe)
    except (UnidentifiedImageError, OSError, Image.DecompressionBombError):
        raise forms.ValidationError(f"The photo must be {allowed}.") from None
    image.thumbnail((MAX_SIDE, MAX_SIDE))
    if kind == "JPEG" and image.mode not in ("RGB", "L"):
        image = image.convert("RGB")
    out = io.BytesIO()
    options = {"quality": 85} if kind in ("JPEG", "WEBP") else {"optimize": True}
    image.save(out, format=kind, **options)
    extension = FORMATS[kind][0]
    return ContentFile(out.getvalue(), name=f"{secrets.token_urlsafe(12)}.{extension}")
