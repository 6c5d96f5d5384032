"""NG words match through full/half width, case and katakana/hiragana; each word holds or rejects."""

from kiji.comments.models import Comment, NGWord
from kiji.comments.services import ng_word_action
from kiji.comments.tests.base import CommentsTestCase


class NGWordTests(CommentsTestCase):
    def test_it_matches_variants_of_a_word(self):
        NGWord.objects.create(word="ばか", action=NGWord.Action.HOLD)
        NGWord.objects.create(word="SPAM", action=NGWord.Action.REJECT)
        for body in ("お前はばかだ", "お前はバカだ", "お前はﾊﾞｶだ", "お前はバ・カだ", "お前はば か だ"):
            with self.subTest(body=body):
                self.assertEqual(ng_word_action(body), ("hold", "ばか"))
        for body in ("buy ＳＰＡＭ now", "spam!", "Ｓｐａｍ"):
            with self.subTest(body=body):
                self.assertEqual(ng_word_action(body), ("reject", "SPAM"))
        self.assertIsNone(ng_word_action("とても良い記事でした"))

    def test_a_word_entered_in_katakana_matches_hiragana(self):
        NGWord.objects.create(word="ｱﾎ", action=NGWord.Action.HOLD)
        self.assertEqual(NGWord.objects.get().folded, "あほ")
        self.assertEqual(ng_word_action("あほらしい"), ("hold", "ｱﾎ"))

    def test_a_hold_word_holds_the_comment_with_the_reason(self):
        NGWord.objects.create(word="ばか", action=NGWord.Action.HOLD)
        page = self.client.get(self.post("この政策はバカげている")["Location"])
        self.assertContains(page, "担当者の確認後に掲載されます")
        comment = Comment.objects.get()
        self.assertEqual(comment.status, Comment.Status.PENDING)
        self.assertEqual(comment.held_reason, "NGワード: ばか")

    def test_a_reject_word_refuses_the_comment(self):
        NGWord.objects.create(word="死ね", action=NGWord.Action.REJECT)
        response = self.post("お前なんか死ねばいい")
        self.assertContains(response, "使用できない言葉が含まれています", status_code=400)
        self.assertContains(response, "お前なんか死ねばいい", status_code=400)
        self.assertFalse(Comment.objects.exists())

    def test_reject_wins_over_hold(self):
        NGWord.objects.create(word="ばか", action=NGWord.Action.HOLD)
        NGWord.objects.create(word="カス", action=NGWord.Action.REJECT)
        self.assertEqual(ng_word_action("ばかでかす"), ("reject", "カス"))
