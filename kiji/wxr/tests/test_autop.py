"""A classic WordPress post's text becomes the paragraphs WordPress showed, and its blocks stay blocks."""

from django.test import SimpleTestCase

from kiji.lib.html import sanitize_html
from kiji.wxr.content import autop, convert, drop_empty


class AutopTests(SimpleTestCase):
    def test_blank_lines_split_paragraphs_and_single_newlines_break_lines(self):
        self.assertEqual(
            autop("可決された。\n与党は歓迎。\n\n二段落目。"),
            "<p>可決された。<br>\n与党は歓迎。</p>\n<p>二段落目。</p>",
        )

    def test_a_table_after_text_gets_no_line_breaks_between_its_rows(self):
        html = autop(
            "表:\n<h2>成績</h2>\n<table>\n<tbody>\n<tr>\n<th>選手</th>\n<td>3割</td>\n</tr>\n</tbody>\n</table>\n以上"
        )
        self.assertNotIn("<br>", html)
        self.assertIn("<p>表:</p>", html)
        self.assertIn("<p>以上</p>", html)
        self.assertNotIn("<p><h2>", html)

    def test_a_list_and_a_heading_are_not_wrapped_in_paragraphs(self):
        html = autop("<h3>要点</h3>\n<ul>\n<li>一つ目</li>\n<li>二つ目</li>\n</ul>")
        self.assertEqual(html, "<h3>要点</h3>\n<ul>\n<li>一つ目</li>\n<li>二つ目</li>\n</ul>")

    def test_an_item_holding_a_nested_list_is_no_paragraph(self):
        html = autop("<ul>\n<li>一つ目\n<ul>\n<li>その中</li>\n</ul>\n</li>\n</ul>")
        self.assertNotIn("<p>", html)
        self.assertNotIn("</p>", html)

    def test_preformatted_text_keeps_its_blank_lines(self):
        self.assertIn("<pre>line1\n\nline2</pre>", autop("前\n<pre>line1\n\nline2</pre>\n後"))

    def test_a_quote_gets_its_paragraph_inside(self):
        self.assertEqual(
            autop("<blockquote>引用\n二行目</blockquote>"), "<blockquote><p>引用<br>\n二行目</p></blockquote>"
        )

    def test_a_url_alone_on_its_line_is_a_link_card(self):
        html = autop("見て\nhttps://www.youtube.com/watch?v=abc\n以上")
        self.assertIn('<p class="link-card">YouTube: <a href="https://www.youtube.com/watch?v=abc">', html)
        self.assertNotIn("<p>見て<br>", html)


class ConvertTests(SimpleTestCase):
    def test_headings_fit_under_the_headline_and_a_glossary_survives_the_sanitizer(self):
        html = sanitize_html(
            convert("<h1>大見出し</h1>\n<h6>小見出し</h6>\n<dl><dt>WXR</dt><dd>書き出し形式</dd></dl>")
        )
        self.assertIn("<h2>大見出し</h2>", html)
        self.assertIn("<h4>小見出し</h4>", html)
        self.assertIn("<dl><dt>WXR</dt><dd>書き出し形式</dd></dl>", html.replace("\n", ""))

    def test_a_caption_is_a_figure_with_no_paragraph_or_line_break_inside(self):
        html = convert(
            '本文。\n[caption id="a" width="300"]<img src="/a.jpg" alt="議事堂"> 国会議事堂[/caption]\n続き。'
        )
        self.assertIn('<figure><img src="/a.jpg" alt="議事堂"><figcaption>国会議事堂</figcaption></figure>', html)
        self.assertIn("<p>本文。</p>", html)
        self.assertIn("<p>続き。</p>", html)


class DropEmptyTests(SimpleTestCase):
    def test_a_gallery_item_that_lost_its_picture_leaves_no_empty_bullet(self):
        html = '<ul class="g"><li><figure><a href="/x"></a></figure></li><li><figure>夕日</figure></li></ul>'
        self.assertEqual(drop_empty(html), '<ul class="g"><li><figure>夕日</figure></li></ul>')
