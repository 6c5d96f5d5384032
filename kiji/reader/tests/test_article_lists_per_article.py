"""The article page's own lists (bylines, tags, corrections) and links belong to the article shown.

They are read with SQL compiled once (kiji.lib.queries) and links are remembered per process
(kiji.reader.jinja2env): one article's page never shows another's rows or an old link.
"""

from kiji.newsroom.models import Correction, Tag
from kiji.testing import NewsroomTestCase


class ArticleOwnListsTests(NewsroomTestCase):
    def test_two_articles_one_after_the_other_each_show_their_own_bylines_tags_and_corrections(self):
        first = self.make_article(
            headline="県議会、予算案を可決",
            writers=[self.writer],
            tags=[Tag.objects.create(name="県政", slug="kensei")],
        )
        Correction.objects.create(article=first, text="議決の日付を訂正しました。")
        second = self.make_article(headline="駅前再開発が着工", writers=[self.other_writer])
        one = self.client.get(first.get_absolute_url()).content.decode()
        two = self.client.get(second.get_absolute_url()).content.decode()
        assert "山田 花子" in one and "#県政" in one and "議決の日付を訂正しました。" in one
        assert "佐藤 一郎" in two
        assert "山田 花子</a>" not in two and "#県政" not in two and "議決の日付を訂正しました。" not in two

    def test_a_writer_given_a_new_address_is_linked_at_the_new_address(self):
        article = self.make_article(headline="市長が会見", writers=[self.writer])
        assert 'href="/writers/yamada-hanako/"' in self.client.get(article.get_absolute_url()).content.decode()
        self.writer.slug = "hanako-yamada"
        self.writer.save()
        html = self.client.get(article.get_absolute_url()).content.decode()
        assert 'href="/writers/hanako-yamada/"' in html and "/writers/yamada-hanako/" not in html
