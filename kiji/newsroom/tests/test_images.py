"""Image uploads through the admin: renditions made once, bad files refused with a clear message."""

import io

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import TestCase, override_settings
from django.urls import reverse
from PIL import Image as PILImage

from kiji.newsroom.models import Image
from kiji.newsroom.services.images import store_upload
from kiji.newsroom.tests.base import AdminTestCase
from kiji.reader.images import image_attrs

ADD_URL = reverse("admin:newsroom_image_add")


def picture_bytes(fmt: str, size=(1500, 1000), orientation: int | None = None) -> bytes:
    picture = PILImage.new("RGB", size, (200, 30, 30))
    picture.paste((20, 20, 200), (0, 0, size[0] // 2, size[1] // 3))  # not one flat colour
    out = io.BytesIO()
    kwargs = {}
    if orientation:
        exif = PILImage.Exif()
        exif[0x0112] = orientation  # Orientation
        exif[0x010F] = "KijiCam"  # Make: camera metadata that must not be published
        kwargs["exif"] = exif
    picture.save(out, format=fmt, **kwargs)
    return out.getvalue()


class ImageUploadTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.writer_user)

    def upload(self, name: str, data: bytes, content_type: str = "image/jpeg"):
        return self.client.post(
            ADD_URL,
            {
                "file": SimpleUploadedFile(name, data, content_type=content_type),
                "alt": "国会議事堂",
                "caption": "国会議事堂の外観",
                "credit": "撮影：山田",
            },
        )

    def test_it_makes_webp_and_jpeg_renditions_of_a_jpeg_with_correct_sizes(self):
        response = self.upload("kokkai.jpg", picture_bytes("JPEG"))
        self.assertEqual(response.status_code, 302)
        image = Image.objects.get()
        self.assertEqual((image.width, image.height, image.uploaded_by), (1500, 1000, self.writer_user))
        got = sorted((r["format"], r["width"], r["height"]) for r in image.renditions)
        expected = sorted((fmt, w, round(1000 * w / 1500)) for w in (320, 640, 960, 1280) for fmt in ("webp", "jpeg"))
        self.assertEqual(got, expected)
        for rendition in image.renditions:
            with default_storage.open(rendition["name"]) as f, PILImage.open(f) as stored:
                self.assertEqual(
                    (stored.format.lower(), stored.width, stored.height),
                    (rendition["format"], rendition["width"], rendition["height"]),
                )
        attrs = image_attrs(image)
        self.assertIn("640w", attrs["webp_srcset"])
        self.assertIn("1280w", attrs["srcset"])

    def test_it_makes_png_renditions_only_for_widths_smaller_than_the_original(self):
        self.upload("chart.png", picture_bytes("PNG", size=(700, 400)), "image/png")
        image = Image.objects.get()
        got = sorted((r["format"], r["width"], r["height"]) for r in image.renditions)
        self.assertEqual(got, [("png", 320, 183), ("png", 640, 366), ("webp", 320, 183), ("webp", 640, 366)])

    def test_it_keeps_webp_and_gif_uploads_in_their_own_format(self):
        self.upload("photo.webp", picture_bytes("WEBP", size=(800, 600)), "image/webp")
        self.upload("anime.gif", picture_bytes("GIF", size=(400, 300)), "image/gif")
        webp, gif = Image.objects.order_by("pk")
        self.assertEqual(sorted((r["format"], r["width"]) for r in webp.renditions), [("webp", 320), ("webp", 640)])
        self.assertEqual(sorted((r["format"], r["width"]) for r in gif.renditions), [("gif", 320), ("webp", 320)])
        self.assertTrue(gif.file.name.endswith(".gif"))

    def test_it_turns_the_picture_upright_and_strips_its_exif(self):
        self.upload("portrait.jpg", picture_bytes("JPEG", orientation=6))  # camera held sideways
        image = Image.objects.get()
        self.assertEqual((image.width, image.height), (1000, 1500))
        with image.file.open() as f, PILImage.open(f) as stored:
            self.assertEqual(dict(stored.getexif()), {})
        self.assertEqual(sorted(r["width"] for r in image.renditions if r["format"] == "webp"), [320, 640, 960])

    @override_settings(KIJI_MAX_IMAGE_BYTES=2000)
    def test_it_refuses_an_oversized_file_with_the_limit(self):
        response = self.upload("big.jpg", picture_bytes("JPEG"))
        self.assertContains(response, "ファイルが大きすぎます")
        self.assertFalse(Image.objects.exists())

    @override_settings(KIJI_MAX_IMAGE_PIXELS=1_000_000)
    def test_it_refuses_too_many_pixels(self):
        response = self.upload("wide.png", picture_bytes("PNG", size=(2000, 600)), "image/png")
        self.assertContains(response, "画像が大きすぎます（2000×600 ピクセル）")
        self.assertFalse(Image.objects.exists())

    def test_it_refuses_a_corrupt_image(self):
        data = picture_bytes("JPEG")
        response = self.upload("broken.jpg", data[: len(data) // 2])
        self.assertContains(response, "画像ファイルが壊れていて読み込めません")
        self.assertFalse(Image.objects.exists())

    def test_it_refuses_a_file_that_is_not_an_image(self):
        response = self.upload("notes.jpg", "これは画像ではなく原稿です。".encode(), "image/jpeg")
        self.assertContains(response, "このファイルは画像ではありません")
        self.assertFalse(Image.objects.exists())

    def test_it_refuses_an_unsupported_format(self):
        response = self.upload("scan.bmp", picture_bytes("BMP", size=(50, 50)), "image/bmp")
        self.assertContains(response, "対応していない画像形式です（BMP）")

    def test_it_shows_a_thumbnail_in_the_image_list(self):
        self.upload("kokkai.jpg", picture_bytes("JPEG"))
        image = Image.objects.get()
        response = self.client.get(reverse("admin:newsroom_image_changelist"))
        smallest = next(r for r in image.renditions if r["format"] == "webp" and r["width"] == 320)
        self.assertContains(response, f'src="{default_storage.url(smallest["name"])}"')
        self.assertContains(response, 'class="kiji-thumb"')


class ImageServiceInCodeTests(TestCase):
    """Images made in code (demo content, importers) go through the same service as admin uploads."""

    def test_a_new_unsaved_image_is_stored_with_its_size_and_renditions(self):
        upload = SimpleUploadedFile("kokkai.jpg", picture_bytes("JPEG", size=(1280, 720)))
        image = store_upload(image=Image(alt="国会議事堂", caption="国会議事堂の外観"), upload=upload)
        stored = Image.objects.get(pk=image.pk)
        self.assertEqual((stored.alt, stored.width, stored.height), ("国会議事堂", 1280, 720))
        self.assertEqual(sorted(r["width"] for r in stored.renditions if r["format"] == "webp"), [320, 640, 960])
        with default_storage.open(stored.file.name) as f, PILImage.open(f) as saved:
            self.assertEqual(saved.size, (1280, 720))

    def test_an_image_built_around_its_file_gets_the_upright_size(self):
        upload = SimpleUploadedFile("portrait.jpg", picture_bytes("JPEG", size=(900, 600), orientation=6))
        image = store_upload(image=Image(file=upload, alt="記者の写真"), upload=upload)
        stored = Image.objects.get(pk=image.pk)
        self.assertEqual((stored.width, stored.height), (600, 900))

    def test_a_new_file_replaces_the_old_renditions_once_committed(self):
        image = store_upload(
            image=Image(alt="国会議事堂"),
            upload=SimpleUploadedFile("kokkai.jpg", picture_bytes("JPEG", size=(1280, 720))),
        )
        old = [r["name"] for r in image.renditions]
        with self.captureOnCommitCallbacks(execute=True):
            store_upload(image=image, upload=SimpleUploadedFile("kokkai2.jpg", picture_bytes("JPEG", size=(700, 400))))
        self.assertTrue(old)
        self.assertFalse([name for name in old if default_storage.exists(name)])
        self.assertTrue(all(default_storage.exists(r["name"]) for r in Image.objects.get(pk=image.pk).renditions))
