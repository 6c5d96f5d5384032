"""Similar articles from the search index's text (kiji.search.similar)."""

import subprocess
import sys
from pathlib import Path
from unittest import mock

from django.test import SimpleTestCase

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

    matrix = model.matrix.all()
    scores = (matrix @ matrix.T).toarray() + similar.TOPIC_WEIGHT * (model.latent @ model.latent.T)
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


def synthetic_corpus(copies: int, *, start: int = 1) -> list:
    """Articles on eight subjects (each its own words, plus words every subject uses), `copies` times
    30 articles a subject: an archive that grows without its vocabulary changing."""
    import random

    rng = random.Random(copies)
    common = [f"共通{i}" for i in range(30)]
    docs = []
    for n in range(8 * 30 * copies):
        subject = [f"話題{n % 8}語{i}" for i in range(40)]
        title = " ".join(rng.sample(subject, 3))
        body = " ".join(rng.sample(subject, 25) + rng.sample(common, 8))
        docs.append((start + n, title, body, ""))
    return docs


@mock.patch.multiple(similar, CLUSTER_SIZE=8, PROBES=3, POOL=4)  # many clusters on a small archive
class OneChangedArticleTests(SimpleTestCase):
    def scored(self, model, docs) -> list[int]:
        """How many articles each update of `docs` scored (the columns of every product it ran)."""
        counts, best, pool = [], similar._best, similar.Model._score_pool

        def counting(vectors, latent, transposed, *args):
            counts.append(transposed.shape[1])
            return best(vectors, latent, transposed, *args)

        def counting_pool(model, *args):
            rows, scores = pool(model, *args)
            counts.append(len(scores))
            return rows, scores

        with (
            mock.patch.object(similar, "_best", counting),
            mock.patch.object(similar.Model, "_score_pool", counting_pool),
        ):
            for pk, title, body, parts in docs:
                model.similar_to(title, body, parts, pk=pk)
        return counts

    def assertSameList(self, found, expected):
        """The same articles in the same order, the same scores but for float32 rounding."""
        self.assertEqual([pk for pk, _ in found], [pk for pk, _ in expected])
        for (_, score), (_, other) in zip(found, expected, strict=True):
            self.assertAlmostEqual(score, other, places=5)

    def test_an_update_scores_as_many_articles_at_four_times_the_archive(self):
        small, large = similar.fit(synthetic_corpus(1)), similar.fit(synthetic_corpus(4))
        small.similar_all(), large.similar_all()  # the full rebuild the scheduler keeps in memory
        edited = synthetic_corpus(1)[:16]
        new = [(10**6 + pk, title, body, parts) for pk, title, body, parts in edited]  # newer than either model
        for docs in (edited, new):
            at_1x, at_4x = self.scored(small, docs), self.scored(large, docs)
            self.assertLessEqual(max(at_1x), similar.POOL * max(len(rows) for rows, _ in small.units()))
            self.assertLess(max(at_4x), len(large) / 4)  # not the whole archive
            self.assertLess(sum(at_4x) / len(at_4x), 1.5 * sum(at_1x) / len(at_1x))  # about the same work

    def test_an_update_finds_the_rebuilds_list_and_articles_on_its_subject(self):
        docs = synthetic_corpus(2)
        model = similar.fit(docs)
        rebuilt = model.similar_all(limit=20)
        self.assertGreater(len(model.units()), similar.PROBES)  # clustered, not searched exactly
        for pk, title, body, parts in docs[:40]:
            self.assertSameList(model.similar_to(title, body, parts, pk=pk, limit=20), rebuilt[pk])
        pk, title, body, parts = docs[5]
        found = model.similar_to(title, body, parts, pk=10**6)  # a new article on subject 5
        self.assertTrue(found)
        self.assertTrue(all((other - 1) % 8 == 5 for other, _ in found[:10]))

    def test_a_model_without_its_lists_computes_only_the_units_an_update_needs(self):
        docs = synthetic_corpus(4)
        model = similar.fit(docs)
        real, ran = similar.unit_neighbours, []
        with mock.patch.object(similar, "unit_neighbours", lambda m, unit: ran.append(unit) or real(m, unit)):
            pk, title, body, parts = docs[3]
            found = model.similar_to(title, body, parts, pk=pk, limit=20)
        self.assertLess(len(ran), len(model.units()) / 2)
        self.assertSameList(found, similar.fit(docs).similar_all(limit=20)[pk])

    def test_the_nearest_neighbours_of_a_new_article_list_it_with_the_same_score(self):
        model = similar.fit(synthetic_corpus(2))
        rebuilt = model.similar_all(limit=20)
        pk, title, body, parts = synthetic_corpus(2)[5]
        found = model.similar_to(title, body, parts, pk=10**6, limit=20)
        changed = model.reciprocal(10**6, found, limit=20)
        self.assertTrue(changed)
        self.assertLessEqual(set(changed), {other for other, _ in found[: similar.RECIPROCAL]})
        for other, score in found[: similar.RECIPROCAL]:
            if other in changed:
                self.assertIn((10**6, score), changed[other])
                self.assertEqual(
                    [p for p in changed[other] if p[0] != 10**6], rebuilt[other][: len(changed[other]) - 1]
                )
        # an update of that neighbour later keeps the newcomer in its list until the next rebuild
        other = next(iter(changed))
        doc = next(d for d in synthetic_corpus(2) if d[0] == other)
        self.assertIn(10**6, [p for p, _ in model.similar_to(*doc[1:], pk=other, limit=20)])

    def test_a_site_of_few_clusters_is_searched_exactly(self):
        with mock.patch.object(similar, "PROBES", 10**9):
            model = similar.fit(synthetic_corpus(1))
            model.similar_all()
            self.assertIsNone(model.pool_of(model.latent[:1]))
            self.assertEqual(self.scored(model, synthetic_corpus(1)[:2]), [len(model)] * 2)


@mock.patch.multiple(similar, CLUSTER_SIZE=8, PROBES=3, POOL=4)
class BoundedMemoryTests(SimpleTestCase):
    """A full rebuild's memory does not grow with the archive: the topics are fitted on a sample and the
    articles are weighted a block at a time, the weighted vectors kept on disk."""

    def test_topics_fitted_on_a_sample_still_give_every_article_neighbours_on_its_subject(self):
        docs = synthetic_corpus(4)  # 960 articles on 8 subjects
        with mock.patch.object(similar, "SAMPLE", 400):  # a sample far larger than TOPICS, as SAMPLE is
            model = similar.fit(docs)
        for pk, found in model.similar_all(limit=10).items():
            self.assertEqual(len(found), 10)
            self.assertTrue(all((other - 1) % 8 == (pk - 1) % 8 for other, _ in found), (pk, found))

    def test_the_fit_never_weighs_more_rows_at_once_than_the_sample_or_a_block(self):
        weighed, weigh = [], similar._weigh
        with (
            mock.patch.multiple(similar, SAMPLE=100, BLOCK=64),
            mock.patch.object(similar, "_weigh", lambda raw, model: weighed.append(raw.shape[0]) or weigh(raw, model)),
        ):
            model = similar.fit(synthetic_corpus(4))
        self.assertEqual(len(model), 960)
        self.assertEqual(max(weighed), 100)  # the sample, then 64 rows at a time
        self.assertEqual(sum(weighed), 100 + 960)

    def test_a_finished_rebuilds_model_still_updates_an_article_once_its_folder_is_gone(self):
        import tempfile

        docs = synthetic_corpus(2)
        with tempfile.TemporaryDirectory() as folder:
            rebuild = similar.Rebuild(Path(folder) / "rebuild")
            model = rebuild.model(fit=lambda: similar.fit(docs))
            rebuild.neighbourhoods(model)
            listed = model.similar_rows([0], limit=20)[docs[0][0]]
            rebuild.finish()
            self.assertFalse((Path(folder) / "rebuild").exists())
            pk, title, body, parts = docs[0]
            self.assertEqual(
                [p for p, _ in model.similar_to(title, body, parts, pk=pk, limit=20)], [p for p, _ in listed]
            )

    def test_a_rebuild_of_a_site_with_no_articles_finishes_with_no_lists(self):
        import tempfile

        with tempfile.TemporaryDirectory() as folder:
            rebuild = similar.Rebuild(Path(folder) / "rebuild")
            model = rebuild.model(fit=lambda: similar.fit([]))
            rebuild.neighbourhoods(model)
            self.assertEqual(model.similar_all(), {})
