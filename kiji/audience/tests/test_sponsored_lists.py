"""広告/PR articles reach おすすめ only when an editor picks them."""

from datetime import timedelta

from kiji.audience import lists
from kiji.audience.models import EditorPick
from kiji.audience.tests.base import AudienceTestCase


class SponsoredRecommendedTests(AudienceTestCase):
    def test_a_sponsored_article_is_recommended_only_when_picked(self):
        self.make_article(headline="政治の記事", category=self.korea, published_at=self.clock - timedelta(hours=2))
        ad = self.make_article(headline="協賛企業の新製品", sponsorship="pr", sponsor_name="株式会社サンプル")
        self.add_views(ad, 100)
        lists.compute_lists()
        self.assertEqual([a.headline for a in lists.recommended()], ["政治の記事"])
        EditorPick.objects.create(article=ad, position=0)
        lists.compute_lists()
        self.assertEqual([a.headline for a in lists.recommended()], ["協賛企業の新製品", "政治の記事"])
