"""Photos from a phone's camera, made smaller with Pillow before cases.visits keeps them.

A phone photo is 3–12 MB and 4000 pixels wide; nobody needs that to see a signed form or a
crack in a wall, and staff open these on the same weak connections. Each photo is turned
upright (EXIF orientation), shrunk to MOBILE_PHOTO_MAX_SIDE on its longest side and saved as
a JPEG without its metadata (which carries the phone's GPS position). HEIC photos and PDFs,
which Pillow cannot read here, are passed on as they are; cases.visits checks every file's
content and size again.
"""

import io
import os
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from talentoffice.uploads import IMAGE, sniff

# Formats Pillow reads out of the box; HEIC needs a plugin we do not ship.
SHRINKABLE = {"image/jpeg", "image/png", "image/webp"}
# Refuse decoding anything larger: a 16-megapixel limit with room for panoramas.
MAX_PIXELS = 60_000_000
JPEG_QUALITY = 82


def shrink_photos(uploads) -> list:
    """Every upload checked for size and shrunk when it is a photo; all errors together."""
    results, errors = [], []
    for upload in uploads:
        try:
            results.append(shrink_photo(upload))
        except ValidationError as error:
            errors.extend(error.error_list)
    if errors:
        raise ValidationError(errors)
    return results


def shrink_photo(upload):
    """The upload made smaller when it is a readable photo, else the upload unchanged."""
    name = os.path.basename(upload.name or "") or "photo"
    limit = settings.MOBILE_PHOTO_MAX_UPLOAD_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("“%(name)s” is %(size)s; a photo may be at most %(limit)s.")
            % {"name": name, "size": filesizeformat(upload.size), "limit": filesizeformat(limit)},
            code="too_large",
        )
    upload.seek(0)
    sniffed = sniff(upload.read(16))
    upload.seek(0)
    if sniffed is None or sniffed.kind != IMAGE or sniffed.content_type not in SHRINKABLE:
        return upload  # cases.visits explains what is wrong with it, or keeps it as it is
    try:
        with warnings.catch_warnings():
            # A decompression bomb is refused, not decoded with a warning.
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            image = Image.open(upload)
            if image.width * image.height > MAX_PIXELS:
                raise ValidationError(
                    _("“%(name)s” has too many pixels to be a photo.") % {"name": name},
                    code="too_large",
                )
            image = ImageOps.exif_transpose(image)
            image.thumbnail((settings.MOBILE_PHOTO_MAX_SIDE, settings.MOBILE_PHOTO_MAX_SIDE))
            if image.mode != "RGB":
                image = image.convert("RGB")
            buffer = io.BytesIO()
            image.save(buffer, format="JPEG", quality=JPEG_QUALITY, optimize=True)
    except (
        UnidentifiedImageError,
        OSError,
        SyntaxError,
        ValueError,
        Image.DecompressionBombError,
        Image.DecompressionBombWarning,
    ) as error:
        raise ValidationError(
            _("“%(name)s” could not be read as a photo; take it again.") % {"name": name},
            code="unreadable",
        ) from error
    stem = os.path.splitext(name)[0] or "photo"
    return SimpleUploadedFile(f"{stem}.jpg", buffer.getvalue(), content_type="image/jpeg")
