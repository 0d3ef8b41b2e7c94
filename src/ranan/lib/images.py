"""Images people upload (visit photos, signatures, hazard photos): decoding, checking, serving.
A photo of a home or a signature is personal data: served privately, never cached by a proxy."""

from __future__ import annotations

import base64
import binascii
import io
import mimetypes

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404
from django.utils.translation import gettext as _

MAX_PHOTO_BYTES = 10 * 1024 * 1024
MAX_PHOTO_MB = MAX_PHOTO_BYTES // 1024 // 1024
IMAGE_MAGIC = {b"\xff\xd8\xff": "jpg", b"\x89PNG\r\n\x1a\n": "png", b"RIFF": "webp"}


def decode_data_url(value: str, field: str) -> bytes:
    """`data:image/png;base64,…` (or bare base64) → bytes; a clear error naming the field."""
    text = (value or "").strip()
    if text.startswith("data:"):
        header, _sep, text = text.partition(",")
        if ";base64" not in header:
            raise ValidationError({field: _("Send the image as base64.")})
    if len(text) > MAX_PHOTO_BYTES * 4 // 3 + 8:
        raise ValidationError({field: _("An image is at most %(mb)d MB.") % {
            "mb": MAX_PHOTO_BYTES // 1024 // 1024}})
    try:
        return base64.b64decode(text, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationError({field: _("Not valid base64.")}) from None


def image_extension(content: bytes, field: str) -> str:
    """The file extension of an uploaded image (jpg, png, webp) after checking it is one that
    Pillow can read, of a sane size; a clear error naming the field when not."""
    if len(content) > MAX_PHOTO_BYTES:
        raise ValidationError({field: _("An image is at most %(mb)d MB.") % {
            "mb": MAX_PHOTO_BYTES // 1024 // 1024}})
    for magic, ext in IMAGE_MAGIC.items():
        if content.startswith(magic) and (ext != "webp" or content[8:12] == b"WEBP"):
            break
    else:
        raise ValidationError({field: _("Not an image (JPEG, PNG or WebP).")})
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.width * image.height > 60_000_000:
                raise ValidationError({field: _("The image is too large.")})
            image.verify()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise ValidationError({field: _("Not an image (JPEG, PNG or WebP).")}) from None
    return ext


def image_response(field_file):
    """A stored image as a response: 404 when the file is gone."""
    try:
        handle = field_file.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    content_type = mimetypes.guess_type(field_file.name)[0] or "application/octet-stream"
    response = FileResponse(handle, content_type=content_type)
    # Photos of homes and signatures are personal: the browser may keep them, no proxy may.
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
