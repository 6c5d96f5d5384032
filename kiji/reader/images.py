"""<img>/<picture> attributes from an Image and its renditions."""

from django.core.files.storage import default_storage

from kiji.newsroom.models import Image


def image_attrs(image: Image | None, sizes: str = "(max-width: 760px) 100vw, 760px") -> dict | None:
    """src, width, height and srcset per format, ready for a <picture>; None without an image."""
    if image is None or not image.file:
        return None
    by_format: dict[str, list[str]] = {}
    for r in image.renditions or []:
        by_format.setdefault(r["format"], []).append(f"{default_storage.url(r['name'])} {r['width']}w")
    return {
        "src": image.file.url,
        "width": image.width,
        "height": image.height,
        "alt": image.alt,
        "sizes": sizes,
        "webp_srcset": ", ".join(by_format.pop("webp", [])),
        "srcset": ", ".join(s for items in by_format.values() for s in items),
    }
