"""Server side of visit photos: check the content, keep the capture time, strip the rest.

The phone compresses before uploading; here the bytes are checked by their content
(magic numbers, not the file name), size-capped, decoded by Pillow with a pixel cap,
turned upright, re-encoded as JPEG without any metadata (EXIF carries the GPS position
and the phone model) and thumbnailed. The capture time is read from EXIF first. The
SHA-256 is taken of the bytes as uploaded, before re-encoding: the same file sent for
two visits gives the same hash.
"""

import hashlib
import io
import uuid
from dataclasses import dataclass
from datetime import datetime

import filetype
from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.utils import timezone
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

ACCEPTED_TYPES = ("image/jpeg", "image/png", "image/webp")
MAX_BYTES = getattr(settings, "VISIT_PHOTO_MAX_BYTES", 10 * 1024 * 1024)
MAX_PIXELS = getattr(settings, "VISIT_PHOTO_MAX_PIXELS", 50_000_000)
STORED_EDGE = 2048
THUMB_EDGE = 320

EXIF_IFD = 0x8769
DATETIME_ORIGINAL, DATETIME_DIGITIZED, DATETIME = 0x9003, 0x9004, 0x0132
OFFSET_TIME_ORIGINAL = 0x9011


@dataclass(frozen=True)
class ProcessedPhoto:
    sha256: str
    original_type: str
    original_size: int
    image: ContentFile
    thumbnail: ContentFile
    width: int
    height: int
    taken_at: datetime | None


def _refuse(message: str) -> ValidationError:
    return ValidationError({"image": [message]})


def read_upload(upload) -> bytes:
    """The uploaded bytes, refusing a file over the cap before reading it whole."""
    if upload.size is not None and upload.size > MAX_BYTES:
        raise _refuse(_("The photo is too large: at most %(mb)s MB.")
                      % {"mb": MAX_BYTES // (1024 * 1024)})
    data = upload.read(MAX_BYTES + 1)
    if len(data) > MAX_BYTES:
        raise _refuse(_("The photo is too large: at most %(mb)s MB.")
                      % {"mb": MAX_BYTES // (1024 * 1024)})
    if not data:
        raise _refuse(_("The file is empty."))
    return data


def sniff_type(data: bytes) -> str:
    kind = filetype.guess(data[:8192])
    mime = kind.mime if kind else ""
    if mime in ("image/heic", "image/heif", "image/avif"):
        raise _refuse(_("HEIC photos are not accepted: set the camera to JPEG, or upload "
                        "from the app, which converts them."))
    if mime not in ACCEPTED_TYPES:
        raise _refuse(_("This file is not a photo: send a JPEG, PNG or WebP image."))
    return mime


def decode(data: bytes) -> Image.Image:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            probe.verify()
        image = Image.open(io.BytesIO(data))
        if image.width * image.height > MAX_PIXELS:
            raise _refuse(_("The photo has too many pixels."))
        image.load()
    except (UnidentifiedImageError, Image.DecompressionBombError, OSError, SyntaxError,
            ValueError) as exc:
        raise _refuse(_("The photo is damaged and cannot be read.")) from exc
    return image


def exif_taken_at(image: Image.Image) -> datetime | None:
    """The capture time in the EXIF data (an aware datetime), or None."""
    exif = image.getexif()
    detail = exif.get_ifd(EXIF_IFD)
    raw = detail.get(DATETIME_ORIGINAL) or detail.get(DATETIME_DIGITIZED) or exif.get(DATETIME)
    if not raw:
        return None
    try:
        moment = datetime.strptime(str(raw).strip("\x00 ")[:19], "%Y:%m:%d %H:%M:%S")
    except ValueError:
        return None
    offset = str(detail.get(OFFSET_TIME_ORIGINAL) or "").strip("\x00 ")
    if offset:
        try:
            return datetime.fromisoformat(moment.isoformat() + offset)
        except ValueError:
            pass
    return timezone.make_aware(moment)  # no offset written: local (Asia/Shanghai) time


def encode_jpeg(image: Image.Image, edge: int, quality: int) -> tuple[bytes, tuple[int, int]]:
    """A copy at most `edge` pixels on its long side, as JPEG with no metadata; and its
    size."""
    copy = image.copy()
    copy.thumbnail((edge, edge), Image.Resampling.LANCZOS)
    buffer = io.BytesIO()
    copy.save(buffer, format="JPEG", quality=quality, optimize=True)
    return buffer.getvalue(), copy.size


def upright_rgb(image: Image.Image) -> Image.Image:
    image = ImageOps.exif_transpose(image)
    if image.mode in ("RGBA", "LA", "P"):
        image = image.convert("RGBA")
        background = Image.new("RGB", image.size, "white")
        background.paste(image, mask=image.split()[-1])
        return background
    return image.convert("RGB")


def process_photo(upload) -> ProcessedPhoto:
    """Check, fingerprint and re-encode an uploaded photo; ValidationError on `image`."""
    data = read_upload(upload)
    mime = sniff_type(data)
    image = decode(data)
    taken_at = exif_taken_at(image)
    upright = upright_rgb(image)
    name = uuid.uuid4().hex
    stored, (width, height) = encode_jpeg(upright, STORED_EDGE, 85)
    thumbnail, _size = encode_jpeg(upright, THUMB_EDGE, 75)
    return ProcessedPhoto(
        sha256=hashlib.sha256(data).hexdigest(),
        original_type=mime,
        original_size=len(data),
        image=ContentFile(stored, name=f"{name}.jpg"),
        thumbnail=ContentFile(thumbnail, name=f"{name}_t.jpg"),
        width=width,
        height=height,
        taken_at=taken_at,
    )
