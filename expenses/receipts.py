"""Receipt photos: checked by their content (Pillow), capped in size, stored under a new name."""

import uuid

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext as _
from PIL import Image, UnidentifiedImageError

# Pillow's format name -> the extension the file is stored with.
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp"}
CONTENT_TYPES = {"jpg": "image/jpeg", "png": "image/png", "webp": "image/webp"}


def max_bytes() -> int:
    return getattr(settings, "EXPENSES_RECEIPT_MAX_BYTES", 10 * 1024 * 1024)


def validate_receipt(upload: UploadedFile | None, *, field: str = "receipt") -> UploadedFile:
    """The upload, renamed `<uuid>.<ext>` by its real format; a field-named error when it is
    missing, too large, or not a JPEG, PNG or WebP image whatever its name says."""
    if upload is None:
        raise ValidationError({field: _("A receipt photo is required.")})
    limit = max_bytes()
    if upload.size > limit:
        raise ValidationError({field: _("The receipt photo is larger than %(mb)s MB.")
                               % {"mb": limit // (1024 * 1024)}})
    upload.name = f"{uuid.uuid4().hex}.{_image_format(upload, field)}"
    return upload


def _image_format(upload: UploadedFile, field: str) -> str:
    not_image = ValidationError({field: _("The receipt must be a photo (JPEG, PNG or WebP).")})
    try:
        upload.seek(0)
        with Image.open(upload) as image:
            kind = image.format
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError,
            Image.DecompressionBombError) as exc:
        raise not_image from exc
    finally:
        upload.seek(0)
    if kind not in FORMATS:
        raise not_image
    return FORMATS[kind]


def content_type(name: str) -> str:
    return CONTENT_TYPES.get(name.rsplit(".", 1)[-1].lower(), "application/octet-stream")
