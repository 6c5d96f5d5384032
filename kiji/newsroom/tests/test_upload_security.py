"""Security review (issue 11), uploads: every stored file re-encoded, no metadata, decoded once (#7, #17)."""

import io
from pathlib import Path
from unittest import mock

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from PIL import Image as PILImage

from kiji.newsroom.models import Image
from kiji.newsroom.tests.base import AdminTestCase
from kiji.newsroom.tests.test_images import picture_bytes

ADD_URL = reverse("admin:newsroom_image_add")
XMP = b'<x:xmpmeta xmlns:x="adobe:ns:meta/"><rdf:Description>secret-location</rdf:Description></x:xmpmeta>'


def animation_bytes(fmt: str, frames: int = 3, size=(40, 30)) -> bytes:
    pictures = [PILImage.new("RGB", size, (40 * i, 100, 200 - 40 * i)) for i in range(frames)]
    out = io.BytesIO()
    extra = {"comment": b"uploaded by reporter X at home"} if fmt == "GIF" else {"xmp": XMP}
    pictures[0].save(out, format=fmt, save_all=True, append_images=pictures[1:], duration=120, loop=0, **extra)
    return out.getvalue()


def camera_jpeg() -> bytes:
    picture = PILImage.new("RGB", (64, 48), (200, 30, 30))
    exif = PILImage.Exif()
    exif[0x010F] = "KijiCam"
    exif.get_ifd(0x8825)[2] = (35.0, 41.0, 0.0)  # GPSLatitude
    out = io.BytesIO()
    picture.save(out, format="JPEG", exif=exif, xmp=XMP, comment=b"home address")
    return out.getvalue()


class UploadSecurityTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.editor)

    def upload(self, name, data, content_type):
        response = self.client.post(
            ADD_URL, {"file": SimpleUploadedFile(name, data, content_type=content_type), "alt": "試験用の赤い画像"}
        )
        self.assertEqual(response.status_code, 302, getattr(response, "context_data", None))
        return Image.objects.latest("pk")

    def stored(self, image) -> bytes:
        with default_storage.open(image.file.name) as f:
            return f.read()

    def test_an_animated_gif_is_re_encoded_frame_by_frame_without_its_comment(self):
        uploaded = animation_bytes("GIF")
        image = self.upload("anim.gif", uploaded, "image/gif")
        stored = self.stored(image)
        self.assertNotEqual(stored, uploaded)
        self.assertNotIn(b"reporter X", stored)
        with PILImage.open(io.BytesIO(stored)) as picture:
            self.assertEqual(picture.n_frames, 3)

    def test_an_animated_webp_is_re_encoded_without_its_xmp(self):
        image = self.upload("anim.webp", animation_bytes("WEBP"), "image/webp")
        stored = self.stored(image)
        self.assertNotIn(b"secret-location", stored)
        with PILImage.open(io.BytesIO(stored)) as picture:
            self.assertEqual(picture.n_frames, 3)

    def test_exif_gps_xmp_and_comments_never_reach_the_public(self):
        image = self.upload("camera.jpg", camera_jpeg(), "image/jpeg")
        names = [image.file.name] + [r["name"] for r in image.renditions]
        for name in names:
            with default_storage.open(name) as f:
                data = f.read()
            for secret in (b"KijiCam", b"secret-location", b"home address", b"Exif\x00\x00"):
                self.assertNotIn(secret, data, (name, secret))

    @override_settings(KIJI_MAX_IMAGE_PIXELS=3000)
    def test_the_pixel_limit_counts_every_frame_of_an_animation(self):
        response = self.client.post(
            ADD_URL,
            {
                "file": SimpleUploadedFile("long.gif", animation_bytes("GIF", frames=5), content_type="image/gif"),
                "alt": "長いアニメーション",
            },
        )
        self.assertEqual(response.status_code, 200)
        self.assertFalse(Image.objects.exists())

    def test_an_upload_is_decoded_once(self):
        real = PILImage._getdecoder
        with mock.patch.object(PILImage, "_getdecoder", side_effect=real) as decoder:
            self.upload("chart.png", picture_bytes("PNG", size=(700, 400)), "image/png")
        self.assertEqual(decoder.call_count, 1)


def test_nginx_sends_nosniff_for_media():
    conf = (Path(__file__).resolve().parents[3] / "deploy" / "nginx" / "kiji.conf").read_text()
    media = conf[conf.index("location /media/") :].split("}", 1)[0]
    assert "X-Content-Type-Options nosniff" in media
