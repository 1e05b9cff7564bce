"""Avatar uploads: a square WebP of AVATAR_SIZE pixels, through core.images."""

from __future__ import annotations

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile

from core.images import image_reencode


def avatar_reencode(upload: UploadedFile) -> ContentFile:
    size = settings.AVATAR_SIZE
    return image_reencode(
        upload,
        max_bytes=settings.AVATAR_MAX_UPLOAD_BYTES,
        max_pixels=settings.AVATAR_MAX_PIXELS,
        box=(size, size),
        square=True,
        name="avatar",
    )
