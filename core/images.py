"""Image uploads from the public site: prove the file is a real image, bound its
size, re-encode it.

Re-encoding (rather than storing the upload) drops metadata such as EXIF GPS
positions and any payload smuggled after the image data. Pillow does the work;
this module only sets the limits and the French messages.
"""

from __future__ import annotations

import io
import warnings

from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_FORMATS = {"JPEG", "PNG", "WEBP", "GIF"}


def _too_heavy(max_bytes: int) -> ValidationError:
    return ValidationError(
        _("L’image est trop lourde (%(size)s Mo au maximum).")
        % {"size": max_bytes // (1024 * 1024)},
        code="too_large",
    )


def image_reencode(
    upload: UploadedFile,
    *,
    max_bytes: int,
    max_pixels: int,
    box: tuple[int, int],
    square: bool = False,
    name: str = "image",
) -> ContentFile:
    """Return the image as WebP, fitted into ``box`` (cropped to it when ``square``),
    or raise ValidationError with a message for the person who uploaded it."""
    if upload.size is not None and upload.size > max_bytes:
        raise _too_heavy(max_bytes)
    upload.seek(0)
    data = upload.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_heavy(max_bytes)
    try:
        with warnings.catch_warnings():
            # Pillow warns below its bomb threshold and raises above it; both refused.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise ValidationError(
                        _("Format d’image non accepté : utilisez JPEG, PNG, WebP ou GIF."),
                        code="format",
                    )
                width, height = probe.size
                if width * height > max_pixels:
                    raise ValidationError(
                        _("L’image est trop grande (%(w)s × %(h)s pixels).")
                        % {"w": width, "h": height},
                        code="too_many_pixels",
                    )
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = ImageOps.exif_transpose(image).convert("RGBA")
                if square:
                    image = ImageOps.fit(image, box, method=Image.Resampling.LANCZOS)
                else:
                    image.thumbnail(box, Image.Resampling.LANCZOS)
    except ValidationError:
        raise
    except (UnidentifiedImageError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise ValidationError(
            _("Ce fichier n’est pas une image valide ou est une image piégée."), code="invalid"
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("Ce fichier n’est pas une image valide (fichier tronqué ou corrompu)."),
            code="invalid",
        ) from None
    out = io.BytesIO()
    image.save(out, format="WEBP", quality=85, method=4)
    return ContentFile(out.getvalue(), name=f"{name}.webp")
