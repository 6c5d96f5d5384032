"""The 校正 pane on real Japanese news sentences: each one with the points it should (and should not) raise.

The sentences were written for these tests in the style of wire copy; none is corpus text.
"""

from django.test import SimpleTestCase
from django.urls import reverse

from kiji.newsroom.models import Article, HouseStyleRule
from kiji.newsroom.proofreading import aggregator_length, article_text, proofread
from kiji.newsroom.tests.base import AdminTestCase

RULES = [HouseStyleRule(avoid="子供", prefer="子ども"), HouseStyleRule(avoid="下さい", prefer="ください")]

# (sentence, [(kind, words the finding must show)]): an empty list means nothing to point out.
SENTENCES = [
    ("政府は30日、来年度予算案の概要をまとめた。", []),
    ("社会保障費の伸びを抑えつつ、防災と子育て支援に重点を置く。", []),
    ("財務省の担当者は「歳出の見直しは道半ばだ」と述べた。", []),
    ("衆院選の投票率は前回を上回る見通しで、期日前投票は過去最多となった。", []),
    ("ソウルで日韓外相会談が開かれ、経済協力の強化で一致した。", []),
    ("韓国の出生率は過去最低を更新し、政府は緊急対策を打ち出した。", []),
    ("国際映画祭で日本作品が最高賞を受賞し、監督は「夢のよう」と喜んだ。", []),
    ("日銀は金融政策決定会合で、短期金利の誘導目標を0.5%に据え置いた。", []),
    ("警視庁によると、男は容疑を認めている。", []),
    ("会場には行ったものの、展示はすでに終わっていた。", []),  # ものの is one particle, not の doubled
    ("選手たちは『勝てる』と信じ、最後まで走り抜いた。", []),
    ("東京都の人口は1400万人を超え、過去最多を更新した。", []),
    ("子どもの安全を守るため、通学路の点検を進める。", []),  # the house style itself
    ("都内の公立小学校では、子供の数が10年前より2割減った。", [("house_style", "子供")]),
    ("詳しい日程は、市のホームページでご確認下さい。", [("house_style", "下さい")]),
    ("「子供たちの未来のために」と市長は訴えた。", [("house_style", "子供")]),
    ("子供の貧困対策として、子どもの学習支援を拡充する。", [("house_style", "子供"), ("variant", "子供／子ども")]),
    ("転居の際には、引っ越しの手続きと引越し業者の手配を早めに済ませたい。", [("variant", "引っ越し／引越し")]),
    ("同社は新しいサーバーを導入したが、古いサーバも当面は並行して運用する。", [("variant", "サーバー／サーバ")]),
    ("大学の附属病院と、県が設けた付属研究所が共同研究を始める。", [("variant", "附属／付属")]),
    ("１２月の売上高は前年同月比3%増の５億円だった。", [("width", "１２、５ と 3")]),
    ("台風10号の影響で、九州では１０万戸が停電した。", [("width", "１０ と 10")]),
    ("ＪＲ東日本とJR西日本は、年末年始の利用者数を発表した。", [("width", "ＪＲ と JR")]),
    ("Ｇ７の首脳は、AIの規制について協議した。", [("width", "Ｇ と AI")]),
    ("首相は「改革を進める」と述べた」と関係者は語った。", [("bracket", "開き括弧のない 」")]),
    ("「関係者によると、交渉は難航している。", [("bracket", "「 が閉じられていません")]),
    ("知事は『地域の声を聞きたい』と話した（写真は会見する知事。", [("bracket", "（ が閉じられていません")]),
    ("同社の社長（55は、記者会見で陳謝した。", [("bracket", "（ が閉じられていません")]),
    ("監督は『次も勝つ」と意気込んだ。", [("bracket", "開き括弧のない 」"), ("bracket", "『 が閉じられていません")]),
    ("政府のの方針が、ようやく示された。", [("particle", "「のの」")]),
    ("市長がが臨時の記者会見を開いた。", [("particle", "「がが」")]),
    ("衆議院は予算案をを賛成多数で可決した。", [("particle", "「をを」")]),
    (
        "国のの補助金をを使った事業で、子供向けの施設が完成した。",
        [("house_style", "子供"), ("particle", "「のの」"), ("particle", "「をを」")],
    ),
]


class ProofreadingTests(SimpleTestCase):
    def test_each_sentence_gets_exactly_its_expected_findings(self):
        self.assertGreaterEqual(len(SENTENCES), 30)
        for sentence, expected in SENTENCES:
            with self.subTest(sentence=sentence):
                findings = proofread(sentence, RULES)
                self.assertEqual(sorted(f.kind for f in findings), sorted(kind for kind, _ in expected))
                for kind, words in expected:
                    messages = [f.message for f in findings if f.kind == kind]
                    self.assertTrue(any(words in m for m in messages), f"{words!r} not in {messages}")

    def test_every_finding_comes_with_a_suggestion(self):
        findings = proofread("子供のの数は１０人と10人で「合わない。", RULES)
        self.assertEqual(len(findings), 4)
        self.assertIn("「子ども」と書きます。", [f.suggestion for f in findings])
        self.assertTrue(all(f.suggestion for f in findings))

    def test_spelling_variants_span_headline_deck_and_body(self):
        text = article_text(headline="サーバー障害が復旧", deck="", body="<p>サーバの再起動で復旧した。</p>")
        self.assertEqual([f.kind for f in proofread(text, [])], ["variant"])

    def test_the_aggregator_count_halves_half_width_characters(self):
        self.assertEqual(aggregator_length("東京都"), 3)
        self.assertEqual(aggregator_length("G7サミット2026"), 4 + 0.5 * 6)
        self.assertEqual(aggregator_length("ｶﾀｶﾅ"), 2)  # half-width katakana
        self.assertEqual(aggregator_length("Ｇ７"), 2)  # full-width latin counts whole


class ProofreadingPaneTests(AdminTestCase):
    def test_the_change_form_shows_the_pane_and_the_house_style_is_edited_in_the_admin(self):
        self.client.force_login(self.admin)
        response = self.client.post(
            reverse("admin:newsroom_housestylerule_add"), {"avoid": "子供", "prefer": "子ども", "note": ""}
        )
        self.assertEqual(response.status_code, 302)
        self.client.force_login(self.editor)
        article = self.make_article(status=Article.Status.DRAFT, published_at=None, body="<p>子供の数が減った。</p>")
        page = self.client.get(self.change_url(article))
        self.assertContains(page, "校正")
        self.assertContains(page, "用字用語：「子供」（1 か所）")
        self.assertContains(page, "「子ども」と書きます。")

    def test_a_save_is_never_refused_for_findings_and_says_how_many(self):
        self.client.force_login(self.editor)
        article = self.make_article(status=Article.Status.DRAFT, published_at=None)
        data = self.form_data(article, body="<p>政府のの方針が示された。</p>")
        response = self.client.post(self.change_url(article), data, follow=True)
        self.assertContains(response, "校正：確認したい点が 1 件あります")
        article.refresh_from_db()
        self.assertEqual(article.body, "<p>政府のの方針が示された。</p>")

    def test_the_pane_checks_unsaved_text_on_request(self):
        self.client.force_login(self.editor)
        article = self.make_article(status=Article.Status.DRAFT, published_at=None)
        url = reverse("admin:newsroom_article_proofread", args=[article.pk])
        answer = self.client.post(url, {"headline": "市長がが会見", "body": "<p>本文</p>"}).json()
        self.assertEqual([f["kind"] for f in answer["findings"]], ["particle"])
        self.client.force_login(self.other_writer_user)
        self.assertEqual(self.client.post(url, {"headline": "x"}).status_code, 403)
