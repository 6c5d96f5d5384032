"""Similar articles from the search index's text (kiji.search.similar)."""

import subprocess
import sys
from pathlib import Path
from unittest import mock

from kiji.search import similar
from kiji.search.services import sync_article
from kiji.testing import NewsroomTestCase

ECONOMY = (
    "<p>日本銀行は金融政策決定会合で政策金利を据え置いた。円安と物価上昇が続くなか、利上げの時期が焦点となる。</p>"
)
ECONOMY_2 = "<p>円安が進み、日本銀行の利上げ観測が強まった。物価上昇の続く家計に金利の負担が重くのしかかる。</p>"
BASEBALL = "<p>プロ野球の日本シリーズ第七戦で、エースが完投し、チームが三年ぶりの日本一に輝いた。</p>"
BASEBALL_2 = "<p>日本シリーズを制したチームのエースが会見し、来季もプロ野球の頂点を目指すと語った。</p>"
ROOT = Path(__file__).resolve().parents[3]


class IndexedCorpus(NewsroomTestCase):
    """Two economy and two baseball articles, in the search index."""

    def indexed(self, headline, body):
        article = self.make_article(headline=headline, body=body)
        sync_article(article.pk)
        return article

    def setUp(self):
        super().setUp()
        self.rates = self.indexed("日銀が政策金利を据え置き", ECONOMY)
        self.yen = self.indexed("円安で利上げ観測", ECONOMY_2)
        self.series = self.indexed("日本シリーズ 三年ぶり日本一", BASEBALL)
        self.ace = self.indexed("日本一のエースが会見", BASEBALL_2)


class SimilarArticlesTests(IndexedCorpus):
    def test_the_nearest_article_is_on_the_same_subject_and_never_itself(self):
        found = similar.index_model().similar_all(limit=8)
        self.assertEqual(found[self.rates.pk][0][0], self.yen.pk)
        self.assertEqual(found[self.series.pk][0][0], self.ace.pk)
        self.assertTrue(all(pk not in [o for o, _ in others] for pk, others in found.items()))

    def test_a_new_article_is_matched_against_the_built_model(self):
        model = similar.index_model()
        newcomer = self.indexed("日銀、金利据え置きを決定", ECONOMY)
        found = model.similar_to(*similar.document_of(newcomer.pk)[1:], pk=newcomer.pk)
        self.assertEqual({pk for pk, _ in found[:2]}, {self.rates.pk, self.yen.pk})

    def test_words_found_in_one_article_only_make_nothing_similar(self):
        lone = self.indexed("火星探査機が着陸", "<p>探査機は火星の赤い砂漠に着陸した。</p>")
        self.assertEqual(similar.index_model().similar_all()[lone.pk], [])

    def test_pages_and_the_lists_modules_do_not_load_numpy(self):
        # Web workers import these; numpy/scipy (tens of MB) load only when lists are computed.
        code = (
            "import django, sys; django.setup(); import kiji.ops.wsgi, kiji.search.similar, kiji.audience.lists, "
            "kiji.audience.receivers, kiji.reader.slots; sys.exit('numpy' in sys.modules or 'scipy' in sys.modules)"
        )
        done = subprocess.run(
            [sys.executable, "-c", code],
            cwd=ROOT,
            capture_output=True,
            text=True,
            env={"DJANGO_SETTINGS_MODULE": "kiji.settings", "PATH": "/usr/bin:/bin"},
        )
        self.assertEqual(done.returncode, 0, done.stderr)


def dense_reference(model, limit):
    """The old algorithm, spelled out: every pair scored densely, self excluded by pk, a full sort."""
    import numpy as np

    scores = (model.matrix @ model.matrix.T).toarray() + similar.TOPIC_WEIGHT * (model.latent @ model.latent.T)
    scores[model.pks[:, None] == model.pks[None, :]] = 0.0
    near = []
    for row in scores:
        order = sorted(range(len(row)), key=lambda j: (-row[j], -model.pks[j]))[: similar.CANDIDATES]
        near.append((np.asarray(order), row[order]))
    return {int(model.pks[i]): model._rerank(rows, vals, near, limit) for i, (rows, vals) in enumerate(near)}


class RebuildMatchesTheOldAlgorithmTests(IndexedCorpus):
    def test_the_sparse_chunked_rebuild_finds_the_same_lists_as_dense_scoring(self):
        self.indexed("日銀、追加利上げを見送り", ECONOMY + ECONOMY_2)
        self.indexed("エース完投で日本一", BASEBALL + BASEBALL_2)
        self.indexed("円安 物価上昇 家計", ECONOMY_2)
        model = similar.index_model()
        with mock.patch.object(similar, "CHUNK", 2):  # several chunks even on a small corpus
            self.assertEqual(model.similar_all(limit=8), dense_reference(model, 8))

    def test_an_edited_article_is_scored_against_the_model_without_matching_itself(self):
        model = similar.index_model()
        found = model.similar_to(*similar.document_of(self.rates.pk)[1:], pk=self.rates.pk)
        self.assertEqual(found[0][0], self.yen.pk)
        self.assertNotIn(self.rates.pk, [pk for pk, _ in found])
        self.assertEqual(found, dense_reference(model, 30)[self.rates.pk])

    def test_articles_read_out_of_order_still_map_to_their_rows(self):
        docs = [similar.document_of(a.pk) for a in (self.ace, self.rates, self.series, self.yen)]
        model = similar.fit(docs)
        self.assertEqual(list(model.pks), sorted(model.pks))
        self.assertEqual(model.similar_all()[self.rates.pk][0][0], self.yen.pk)
        self.assertEqual(model.row_of(10**9), -1)
