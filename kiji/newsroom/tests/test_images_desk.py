"""Images and tags at the editor's hand: alt text or 装飾, a focal point the crops keep, tags typed in,
and a read-only article showing its body, not its HTML."""

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from kiji.newsroom.models import Article, Image, Tag
from kiji.newsroom.services.images import crop_box
from kiji.newsroom.tests.base import AdminTestCase
from kiji.newsroom.tests.test_images import picture_bytes
from kiji.reader.seo import large_image

ADD_URL = reverse("admin:newsroom_image_add")


class ImageDeskTests(AdminTestCase):
    def setUp(self):
        self.client.force_login(self.writer_user)

    def upload(self, **fields):
        data = {"file": SimpleUploadedFile("kokkai.jpg", picture_bytes("JPEG", size=(2400, 1000)), "image/jpeg")}
        return self.client.post(ADD_URL, {"alt": "", "caption": "国会議事堂", "credit": "", **data, **fields})

    def test_a_new_upload_needs_alt_text_unless_it_is_decorative(self):
        response = self.upload()
        self.assertContains(response, "装飾")
        self.assertContains(response, "見えない読者")
        self.assertContains(response, "国会議事堂")  # the caption typed is still there
        self.assertFalse(Image.objects.exists())
        self.assertEqual(self.upload(decorative="on").status_code, 302)
        self.assertEqual(self.upload(alt="国会議事堂の正面").status_code, 302)
        self.assertEqual(Image.objects.count(), 2)

    def test_crops_keep_the_focal_point_in_frame_and_follow_a_new_one(self):
        self.upload(alt="国会議事堂", focal_x="0.9", focal_y="0.5")
        image = Image.objects.get()
        self.assertEqual([(c["width"], c["height"]) for c in image.crops], [(640, 335), (1200, 628)])
        left, top, right, bottom = crop_box(2400, 1000, 1200 / 628, 0.9, 0.5)
        self.assertEqual((right, bottom), (2400, 1000))  # as far right as the picture goes
        self.assertTrue(left < 0.9 * 2400 < right)
        self.assertEqual(large_image(image)["name"], image.crops[1]["name"])  # social cards use the crop

        old = image.crops[1]["name"]
        change = reverse("admin:newsroom_image_change", args=[image.pk])
        self.assertContains(self.client.get(change), "data-kiji-focal")
        post = {"alt": image.alt, "caption": image.caption, "credit": "", "focal_x": "0.1", "focal_y": "0.5"}
        with self.captureOnCommitCallbacks(execute=True):
            self.assertEqual(self.client.post(change, post).status_code, 302)
        image.refresh_from_db()
        self.assertEqual(image.focal_x, 0.1)
        self.assertFalse(default_storage.exists(old))
        with default_storage.open(image.crops[1]["name"]) as f, PILImage.open(f) as crop:
            self.assertEqual(crop.size, (1200, 628))

    def test_the_lead_image_picker_answers_with_thumbnails(self):
        self.upload(alt="国会議事堂", caption="国会議事堂の外観")
        image = Image.objects.get()
        query = {"app_label": "newsroom", "model_name": "article", "field_name": "lead_image", "term": "国会"}
        results = self.client.get(reverse("admin:autocomplete"), query).json()["results"]
        self.assertEqual([r["text"] for r in results], ["国会議事堂の外観"])
        smallest = min((r for r in image.renditions if r["format"] == "webp"), key=lambda r: r["width"])
        self.assertEqual(results[0]["thumb"], default_storage.url(smallest["name"]))
        self.assertContains(self.client.get(self.add_url), "js/picker.js")

    def test_a_focal_point_outside_the_picture_is_refused(self):
        self.assertContains(self.upload(alt="国会", focal_x="1.5"), "0 から 1")


class TagsAndReadOnlyTests(AdminTestCase):
    def test_tags_are_made_by_typing_their_names(self):
        Tag.objects.create(name="国会", slug="kokkai")
        self.client.force_login(self.writer_user)
        response = self.client.post(self.add_url, self.form_data(headline="タグの記事", new_tags="国会、予算案, 防災"))
        self.assertEqual(response.status_code, 302)
        article = Article.objects.get(headline="タグの記事")
        self.assertEqual(sorted(article.tags.values_list("name", flat=True)), ["予算案", "国会", "防災"])
        self.assertEqual(Tag.objects.get(name="予算案").slug, "予算案")
        self.assertEqual(Tag.objects.filter(name="国会").count(), 1)  # found, not made twice
        self.assertEqual(
            sorted(article.revisions.first().data["tag_ids"]), sorted(article.tags.values_list("pk", flat=True))
        )

    def test_new_tags_with_control_characters_are_refused_keeping_the_form(self):
        self.client.force_login(self.writer_user)
        response = self.client.post(self.add_url, self.form_data(headline="制御文字の記事", new_tags="国会\x07"))
        self.assertContains(response, "制御文字")
        self.assertContains(response, "制御文字の記事")
        self.assertFalse(Article.objects.filter(headline="制御文字の記事").exists())

    def test_a_writers_read_only_view_of_a_published_article_renders_the_body(self):
        article = self.make_article(body="<p>衆議院で<strong>可決</strong>された。</p>")
        self.client.force_login(self.writer_user)
        response = self.client.get(self.change_url(article))
        self.assertEqual(response.status_code, 200)
        self.assertContains(response, "<p>衆議院で<strong>可決</strong>された。</p>", html=True)
        self.assertNotContains(response, "&lt;strong&gt;")
