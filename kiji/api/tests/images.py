"""A lead image with real files, for the feed, metadata and API tests."""

from io import BytesIO

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from PIL import Image as PILImage

from kiji.newsroom.models import Image


def _png(width: int, height: int) -> bytes:
    out = BytesIO()
    PILImage.new("RGB", (width, height), (200, 30, 30)).save(out, "PNG")
    return out.getvalue()


def _jpeg(width: int, height: int) -> bytes:
    out = BytesIO()
    PILImage.new("RGB", (width, height), (30, 30, 200)).save(out, "JPEG")
    return out.getvalue()


def make_image(width: int = 1600, height: int = 900, rendition_widths=(640, 1280)) -> Image:
    """An uploaded picture with JPEG and WebP renditions at the given widths, as the upload service makes."""
    image = Image(alt="国会議事堂の外観", caption="国会議事堂", credit="撮影：山田太郎")
    image.file.save("lead.png", ContentFile(_png(width, height)), save=False)
    image.width, image.height = width, height
    image.save()
    renditions = []
    for w in rendition_widths:
        h = round(height * w / width)
        name = default_storage.save(f"renditions/{image.pk}/{w}.jpg", ContentFile(_jpeg(w, h)))
        renditions.append({"width": w, "height": h, "format": "jpeg", "name": name})
        renditions.append({"width": w, "height": h, "format": "webp", "name": f"renditions/{image.pk}/{w}.webp"})
    image.renditions = renditions
    image.save(update_fields=["renditions"])
    return image
