"""The 1..300 rule counted as readers see characters, and the invisible characters that never get in."""

from kiji.comments import text
from kiji.comments.models import Comment
from kiji.comments.tests.base import CommentsTestCase

FAMILY = "👨\u200d👩\u200d👧\u200d👦"
THUMBS_DARK = "👍🏿"
FLAG = "🇯🇵"
E_ACUTE_DECOMPOSED = "e\u0301"  # NFC makes it one precomposed é
HANGUL_JAMO = "\u1100\u1161\u11a8"  # 각 as three jamo: one syllable, one character


class LengthTests(CommentsTestCase):
    def test_it_accepts_exactly_300_characters(self):
        response = self.post("あ" * 300)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(Comment.objects.get().body, "あ" * 300)

    def test_it_refuses_301_characters_and_keeps_the_text(self):
        response = self.post("あ" * 301)
        self.assertContains(response, "コメントが長すぎます（301文字）", status_code=400)
        self.assertContains(response, "あ" * 301, status_code=400)
        self.assertContains(response, "残り -1 文字", status_code=400)  # the counter without JavaScript
        self.assertFalse(Comment.objects.exists())

    def test_it_counts_an_emoji_zwj_sequence_or_skin_tone_as_one(self):
        for emoji in (FAMILY, THUMBS_DARK, FLAG, "🏳️\u200d🌈", "👩🏽\u200d💻"):
            with self.subTest(emoji=emoji):
                self.assertEqual(text.length(text.clean(emoji)), 1)
        response = self.post("あ" * 299 + FAMILY)
        self.assertEqual(response.status_code, 302)
        self.assertEqual(self.post("い" * 299 + THUMBS_DARK + FLAG).status_code, 400)

    def test_it_counts_combining_marks_with_their_letter(self):
        self.assertEqual(text.length(text.clean(E_ACUTE_DECOMPOSED)), 1)
        self.assertEqual(text.clean(E_ACUTE_DECOMPOSED), "é")
        self.assertEqual(text.length(text.clean("か\u3099")), 1)  # か + combining dakuten = が
        self.assertEqual(text.length(text.clean(HANGUL_JAMO)), 1)
        self.assertEqual(self.post(E_ACUTE_DECOMPOSED * 300).status_code, 302)
        self.assertEqual(self.post("か\u3099" * 301).status_code, 400)

    def test_it_refuses_an_empty_or_blank_comment_and_keeps_the_nickname(self):
        for body in ("", "   \n\t ", "\u200b\u200b", "\u202e", "\x00\x01"):
            with self.subTest(body=repr(body)):
                response = self.post(body, nickname="ひろし")
                self.assertContains(response, "コメントが空です", status_code=400)
                self.assertContains(response, 'value="ひろし"', status_code=400)
        self.assertFalse(Comment.objects.exists())

    def test_it_refuses_a_huge_paste_without_counting_it(self):
        response = self.post("あ" * 6000)
        self.assertContains(response, "コメントが長すぎます", status_code=400)


class CleaningTests(CommentsTestCase):
    def test_it_removes_bidi_overrides_nul_and_control_characters(self):
        self.post("ab\u202ecd\u2066e\x00f\x07g\u200fh")
        self.assertEqual(Comment.objects.get().body, "abcdefgh")

    def test_it_drops_zero_width_runs_but_keeps_emoji_joiners(self):
        self.assertEqual(text.clean("a\u200b\u200b\u200bb\ufeffc"), "abc")
        self.assertEqual(text.clean("x\u200d\u200d\u200dy"), "xy")
        self.assertEqual(text.clean("\u200dstart"), "start")
        self.assertEqual(text.clean(FAMILY), FAMILY)

    def test_it_keeps_line_breaks_but_not_runs_of_blank_lines(self):
        self.post("一行目\r\n二行目\n\n\n\n\n三行目")
        comment = Comment.objects.get()
        self.assertEqual(comment.body, "一行目\n二行目\n\n三行目")
        self.assertContains(self.client.get(self.comments_url()), "一行目\n二行目\n\n三行目")

    def test_it_caps_stacked_combining_marks(self):
        self.assertEqual(text.clean("Z" + "\u0301" * 50), "Ź" + "\u0301" * 4)

    def test_it_shows_urls_as_text_not_links(self):
        self.post("詳しくは https://example.com/?a=1&b=2 を参照")
        page = self.client.get(self.comments_url()).content.decode()
        self.assertIn("https://example.com/?a=1&amp;b=2", page)
        self.assertNotIn('href="https://example.com', page)

    def test_it_uses_the_default_nickname_and_limits_it(self):
        self.post("ニックネームなし")
        self.assertEqual(Comment.objects.get().nickname, "匿名")
        response = self.post("長い名前", nickname="名" * 21)
        self.assertContains(response, "ニックネームが長すぎます", status_code=400)
        self.assertContains(response, "長い名前", status_code=400)
