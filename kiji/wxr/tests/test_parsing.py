"""Reading the real WordPress exports: every version, both namespaces, odd CDATA, and refusals."""

import pytest

from kiji.testing import shared_corpus
from kiji.wxr.parsing import Author, Item, Site, Term, WxrError, read_export


def records(name):
    return list(read_export(shared_corpus("wxr", name)))


def items(name, **match):
    return [r for r in records(name) if isinstance(r, Item) and all(getattr(r, k) == v for k, v in match.items())]


@pytest.mark.parametrize(
    "name, version",
    [
        ("valid-wxr-1.0.xml", "1.0"),
        ("valid-wxr-1.1.xml", "1.1"),
        ("wxr-simple.xml", "1.2"),
        ("themeunittestdata.wordpress.xml", "1.2"),
    ],
)
def test_it_reads_every_wxr_version_under_http_and_https(name, version):
    found = records(name)
    assert isinstance(found[0], Site) and found[0].version == version
    assert [r for r in found if isinstance(r, Item) and r.post_type == "post"]


def test_it_reads_what_wordpress_importer_counts_in_small_export():
    found = records("small-export.xml")
    assert [a.login for a in found if isinstance(a, Author)] == ["admin", "editor", "author"]
    categories = [t for t in found if isinstance(t, Term) and t.taxonomy == "category"]
    assert len(categories) == 30
    assert {(t.slug, t.parent) for t in categories} >= {("foo-bar", "bar"), ("foo", "")}
    assert len([t for t in found if isinstance(t, Term) and t.taxonomy == "post_tag"]) == 3
    posts = [i.status for i in found if isinstance(i, Item) and i.post_type == "post"]
    pages = [i.status for i in found if isinstance(i, Item) and i.post_type == "page"]
    assert sorted(posts) == ["private"] + ["publish"] * 5
    assert sorted(pages) == ["draft"] + ["publish"] * 4
    assert sum(len(i.comments) for i in found if isinstance(i, Item)) == 1


def test_it_keeps_cdata_split_or_nested_as_written():
    (post,) = items("crazy-cdata.xml", post_type="post")
    assert post.content == "Content with nested <![CDATA[ tags ]]> :)"


def test_it_keeps_backslashes_and_quotes_exactly():
    (post,) = items("slashes.xml", post_type="post")
    assert "\\" in post.content and '"' in post.content
    assert post.content.count("\\") == open(shared_corpus("wxr", "slashes.xml"), encoding="utf-8").read().split(
        "<content:encoded>"
    )[1].split("</content:encoded>")[0].count("\\")


def test_it_keeps_multibyte_characters():
    posts = items("wxr-utf-8-challenges.xml")
    assert any(ord(ch) > 0xFFFF or ord(ch) > 0x3000 for p in posts for ch in p.title + p.content)


def test_it_refuses_malformed_xml_with_line_and_column():
    with pytest.raises(WxrError) as error:
        records("malformed.xml")
    assert (error.value.line, error.value.column) == (90, 11)
    assert "90 行 11 列" in str(error.value) and "XML" in str(error.value)


def test_it_refuses_a_file_that_is_not_there(tmp_path):
    with pytest.raises(WxrError, match="見つかりません"):
        records_of = list(read_export(tmp_path / "none.xml"))
        assert not records_of


def test_it_refuses_well_formed_xml_that_is_not_wxr(tmp_path):
    path = tmp_path / "feed.xml"
    path.write_text("<rss><channel><title>x</title></channel></rss>", encoding="utf-8")
    with pytest.raises(WxrError, match="wxr_version"):
        list(read_export(path))


def test_it_reads_terms_in_every_form():
    found = [t for t in records("term-formats.xml") if isinstance(t, Term)]
    assert {t.taxonomy for t in found} == {"category", "post_tag"}
    assert all(t.slug and t.name for t in found)


def test_it_reads_threaded_comments_and_featured_images():
    found = items("themeunittestdata.wordpress.xml")
    comments = [c for i in found for c in i.comments]
    assert any(c.parent != "0" for c in comments)
    assert any(i.first_meta("_thumbnail_id") for i in found)
    assert any(i.attachment_url for i in found if i.post_type == "attachment")
