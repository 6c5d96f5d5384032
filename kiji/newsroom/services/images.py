"""Image uploads: validation, EXIF stripping and resized renditions, made once on upload.

Everything is written through `default_storage` (the Django storage API), so an S3-compatible
store configured in STORAGES works unchanged.
"""

import io
import posixpath
import warnings

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.utils.translation import gettext as _
from PIL import Image as PILImage
from PIL import ImageOps, ImageSequence, UnidentifiedImageError

from kiji.newsroom.models import Image

# Pillow format name -> file extension
FORMATS = {"JPEG": "jpg", "PNG": "png", "WEBP": "webp", "GIF": "gif"}
_SAVE_OPTIONS = {
    "JPEG": {"quality": 85, "optimize": True, "progressive": True},
    "PNG": {"optimize": True},
    "WEBP": {"quality": 80, "method": 4},
    "GIF": {},
}

LARGE_PIXELS = 8_000_000  # above this a full-size JPEG is written baseline, to keep an upload under ~200 MB


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.1f}".rstrip("0").rstrip(".")


def open_upload(upload) -> PILImage.Image:
    """The decoded picture of an upload, or ValidationError with a message an editor understands."""
    limit = settings.KIJI_MAX_IMAGE_BYTES
    if upload.size > limit:
        raise ValidationError(
            _("The file is too large (%(size)s MB). Upload an image of at most %(limit)s MB.")
            % {"size": _megabytes(upload.size), "limit": _megabytes(limit)},
            code="too_large",
        )
    decoded = getattr(upload, "kiji_picture", None)
    if decoded is not None:  # the form's check already decoded it: never twice (time and memory)
        return decoded
    upload.seek(0)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", PILImage.DecompressionBombWarning)  # our own limit is lower
            picture = PILImage.open(upload)  # read from the upload itself: no copy of its bytes
            if picture.format not in FORMATS:
                raise ValidationError(
                    _("Unsupported image format (%(format)s). Use JPEG, PNG, WebP or GIF.")
                    % {"format": picture.format},
                    code="format",
                )
            # Every frame of an animation is decoded and kept: the limit is on all of them together.
            _check_pixels(picture.width, picture.height, frames=getattr(picture, "n_frames", 1))
            picture.load()  # decodes every byte: a truncated or corrupt file fails here
            if getattr(picture, "is_animated", False):
                picture.kiji_frames = _frames(picture)
    except ValidationError:
        raise
    except PILImage.DecompressionBombError:
        raise ValidationError(
            _("The image has too many pixels. At most %(limit)s million pixels are allowed.")
            % {"limit": f"{settings.KIJI_MAX_IMAGE_PIXELS / 1_000_000:g}"},
            code="too_many_pixels",
        ) from None
    except UnidentifiedImageError:
        raise ValidationError(
            _("This file is not an image. Upload a JPEG, PNG, WebP or GIF picture."), code="not_image"
        ) from None
    except (OSError, SyntaxError, ValueError):
        raise ValidationError(
            _("The image file is damaged and cannot be read. Save it again and re-upload it."), code="corrupt"
        ) from None
    finally:
        upload.seek(0)
    upload.kiji_picture = picture
    return picture


def _frames(picture: PILImage.Image) -> list[tuple[PILImage.Image, int]]:
    """Each frame of an animation as a plain RGBA picture (no metadata) with its duration in ms."""
    frames = []
    for frame in ImageSequence.Iterator(picture):
        pixels = frame.convert("RGBA")
        pixels.info = {}  # no comment, XMP or EXIF rides along into the re-encoded file
        frames.append((pixels, int(frame.info.get("duration", 100) or 100)))
    picture.seek(0)
    return frames


def _check_pixels(width: int, height: int, frames: int = 1) -> None:
    limit = settings.KIJI_MAX_IMAGE_PIXELS
    if width * height * frames > limit:
        raise ValidationError(
            _("The image is too large (%(width)s×%(height)s pixels). At most %(limit)s million pixels are allowed.")
            % {"width": width, "height": height, "limit": f"{limit / 1_000_000:g}"},
            code="too_many_pixels",
        )


def _encode(picture: PILImage.Image, fmt: str) -> bytes:
    if fmt == "JPEG" and picture.mode not in ("RGB", "L"):
        picture = picture.convert("RGB")
    elif fmt == "GIF" and picture.mode not in ("P", "L"):
        picture = picture.convert("RGB").quantize()
    elif fmt in ("PNG", "WEBP") and picture.mode not in ("RGB", "RGBA", "L", "LA"):
        picture = picture.convert("RGBA")
    options = _SAVE_OPTIONS[fmt]
    if fmt == "JPEG" and picture.width * picture.height > LARGE_PIXELS:
        options = {"quality": options["quality"]}  # progressive/optimized would hold every coefficient (~+40 MB)
    out = io.BytesIO()
    picture.save(out, format=fmt, **options)  # no exif= argument: metadata is dropped
    return out.getvalue()


# What a re-encoded picture keeps of its source's metadata: how to show it, nothing about who took it
# where (EXIF with GPS and camera serials, XMP, comments are all dropped).
_KEPT_INFO = {"transparency", "background", "loop", "duration", "icc_profile"}


def _upright(picture: PILImage.Image) -> PILImage.Image:
    """The picture turned as its EXIF orientation says, with no EXIF, XMP or comment left."""
    fmt = picture.format
    upright = ImageOps.exif_transpose(picture, in_place=False) if _orientation(picture) > 1 else picture
    upright.info = {key: value for key, value in upright.info.items() if key in _KEPT_INFO}
    upright.format = fmt
    return upright


def _orientation(picture: PILImage.Image) -> int:
    return picture.getexif().get(0x0112, 1)


def _encode_animation(frames: list[tuple[PILImage.Image, int]], fmt: str, loop: int) -> bytes:
    """An animation re-encoded frame by frame from its decoded pixels: nothing of the uploaded file survives."""
    first, *rest = [frame for frame, _ in frames]
    out = io.BytesIO()
    options = {"save_all": True, "append_images": rest, "duration": [ms for _, ms in frames], "loop": loop}
    if fmt == "GIF":
        options["disposal"] = 2
    first.save(out, format=fmt, **options)
    return out.getvalue()


def make_renditions(picture: PILImage.Image, original_name: str) -> list[dict]:
    """Save, for each configured width smaller than the picture, a WebP and an original-format copy."""
    fmt = picture.format
    stem = posixpath.splitext(original_name)[0]
    renditions = []
    for width in sorted(settings.KIJI_IMAGE_WIDTHS):
        if width >= picture.width:
            continue
        height = max(1, round(picture.height * width / picture.width))
        resized = picture.resize((width, height), PILImage.Resampling.LANCZOS)
        for out_fmt in dict.fromkeys(["WEBP", fmt]):
            ext = FORMATS[out_fmt]
            name = default_storage.save(f"{stem}-{width}w.{ext}", ContentFile(_encode(resized, out_fmt)))
            renditions.append({"width": width, "height": height, "format": out_fmt.lower(), "name": name})
    return renditions


# Social cards and list thumbnails: 1.91:1, the shape link previews show.
CARD_RATIO = 1200 / 628
CARD_WIDTHS = (640, 1200)


def crop_box(width: int, height: int, ratio: float, focal_x: float, focal_y: float) -> tuple[int, int, int, int]:
    """The largest box of `ratio` inside the picture, centred on the focal point as far as the edges allow."""
    if width / height > ratio:
        box_w, box_h = max(1, round(height * ratio)), height
    else:
        box_w, box_h = width, max(1, round(width / ratio))
    left = min(max(round(focal_x * width - box_w / 2), 0), width - box_w)
    top = min(max(round(focal_y * height - box_h / 2), 0), height - box_h)
    return left, top, left + box_w, top + box_h


def make_crops(picture: PILImage.Image, original_name: str, focal_x: float, focal_y: float) -> list[dict]:
    """Card-shaped copies cut around the focal point, in the original format (what link previews read)."""
    fmt = picture.format if picture.format in ("JPEG", "PNG") else "PNG"
    cropped = picture.crop(crop_box(picture.width, picture.height, CARD_RATIO, focal_x, focal_y))
    stem = posixpath.splitext(original_name)[0]
    crops = []
    for width in sorted({min(w, cropped.width) for w in CARD_WIDTHS}):
        height = max(1, round(cropped.height * width / cropped.width))
        resized = cropped.resize((width, height), PILImage.Resampling.LANCZOS)
        name = default_storage.save(f"{stem}-card-{width}w.{FORMATS[fmt]}", ContentFile(_encode(resized, fmt)))
        crops.append({"ratio": "card", "width": width, "height": height, "format": fmt.lower(), "name": name})
    return crops


def recrop(*, image: Image) -> Image:
    """Cut the image's crops again around its (changed) focal point."""
    old = list(image.crops or [])
    with image.file.open("rb") as f:
        picture = PILImage.open(f)
        picture.load()
    image.crops = make_crops(picture, image.file.name, image.focal_x, image.focal_y)
    image.save(update_fields=["crops"])
    if old:
        transaction.on_commit(lambda: delete_renditions(old))
    return image


def thumbnail_url(image: Image) -> str:
    """The smallest WebP rendition's URL (the file's own when there is none): for pickers and lists."""
    smallest = min((r for r in image.renditions or [] if r["format"] == "webp"), key=lambda r: r["width"], default=None)
    return image.file.storage.url(smallest["name"]) if smallest else image.file.url


def delete_renditions(renditions: list[dict]) -> None:
    for rendition in renditions:
        default_storage.delete(rendition["name"])


def store_upload(*, image: Image, upload, by=None) -> Image:
    """Save an upload as the image's file (upright, metadata stripped) and make its renditions once."""
    original = open_upload(upload)
    animated = getattr(original, "is_animated", False)
    picture = _upright(original)
    fmt = picture.format
    old_renditions = list(image.renditions or [])
    ext = FORMATS[fmt]
    base = posixpath.splitext(posixpath.basename(upload.name))[0] or "image"
    if animated:
        content = ContentFile(_encode_animation(original.kiji_frames, fmt, int(original.info.get("loop", 0))))
    else:
        content = ContentFile(_encode(picture, fmt))
    image.file.save(f"{base}.{ext}", content, save=False)
    # Set after file.save(): Django's ImageField fills width/height from the saved content there, which
    # gives None for a ContentFile (a new Image in code then failed NOT NULL), and the upload's size, not
    # the upright one, for an Image built around its upload. The picture's own size is right in every case.
    image.width, image.height = picture.size
    image.renditions = make_renditions(picture, image.file.name)
    old_renditions += list(image.crops or [])
    image.crops = make_crops(picture, image.file.name, image.focal_x, image.focal_y)
    if by is not None and image.uploaded_by_id is None:
        image.uploaded_by = by
    image.save()
    if old_renditions:
        transaction.on_commit(lambda: delete_renditions(old_renditions))
    return image
