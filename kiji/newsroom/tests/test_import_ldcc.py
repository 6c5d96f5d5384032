"""kiji import-ldcc: the livedoor news corpus format, imported once, all or nothing."""

import tarfile
from datetime import datetime
from io import StringIO
from pathlib import Path
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.management import CommandError, call_command

from kiji.newsroom.models import Article, Category
from kiji.newsroom.signals import articles_imported
from kiji.testing import shared_corpus

REAL_CORPUS = "livedoor-news-corpus.tar.gz"  # CC BY-ND: read from ../shared/corpora, never copied

LICENCE = """このディレクトリにあるすべての記事ファイルには、クリエイティブ・コモンズライセンス
「表示 - 改変禁止」（http://creativecommons.org/licenses/by-nd/2.1/jp/）が適用されます。

このディレクトリの記事ファイル内容の提供元：
{name}
http://news.example.jp/category/{slug}/
"""

# Text written for these tests (not from the corpus): two channels, three articles.
ARTICLES = {
    "topic-news/topic-news-1001.txt": (
        "http://news.example.jp/article/detail/1001/\n2012-09-03T10:15:00+0900\n商店街に猫の駅長が就任\n"
        "駅前の商店街で、看板猫の「みけ」が一日駅長に任命された。\n\n"
        "式典には近所の子どもたちも集まり、<大きな>拍手が送られた。\n次の行\n"
    ),
    "topic-news/topic-news-1002.txt": (
        "http://news.example.jp/article/detail/1002/\n2012-09-04T08:00:00+0900\n夏祭りの来場者が過去最多\n"
        "今年の夏祭りは天候に恵まれ、来場者は過去最多となった。\n"
    ),
    "sports-watch/sports-watch-2001.txt": (
        "http://news.example.jp/article/detail/2001/\n2012-09-05T21:30:00+0900\n延長戦の末にサヨナラ勝ち\n"
        "九回に追いついたチームが、延長十一回にサヨナラ勝ちを収めた。\n"
    ),
}


def write_corpus(root: Path, extra: dict[str, bytes | str] | None = None) -> Path:
    """A tiny corpus laid out like the real one: ldcc-text/<channel>/..., with README and LICENSE files."""
    base = root / "ldcc-text"
    (base / "topic-news").mkdir(parents=True)
    (base / "sports-watch").mkdir()
    (base / "README.txt").write_text("テスト用のコーパス\n", encoding="utf-8")
    (base / "CHANGES.txt").write_text("変更なし\n", encoding="utf-8")
    for slug, name in [("topic-news", "トピックニュース"), ("sports-watch", "Sports Watch")]:
        (base / slug / "LICENSE.txt").write_text(LICENCE.format(name=name, slug=slug), encoding="utf-8")
    for name, text in {**ARTICLES, **(extra or {})}.items():
        data = text.encode("utf-8") if isinstance(text, str) else text
        (base / name).write_bytes(data)
    return root


def run_import(path, *args) -> str:
    out = StringIO()
    call_command("import_ldcc", str(path), *args, stdout=out)
    return out.getvalue()


@pytest.mark.django_db
def test_it_imports_channels_as_categories_and_articles_as_published(tmp_path, client):
    output = run_import(write_corpus(tmp_path))

    assert "Imported 3 article(s)" in output
    assert dict(Category.objects.values_list("slug", "name")) == {
        "topic-news": "トピックニュース",
        "sports-watch": "Sports Watch",
    }
    assert Category.objects.get(slug="sports-watch").description == (
        "livedoor ニュースコーパスの記事（提供元: Sports Watch ／ ライセンス: クリエイティブ・コモンズ「表示 - 改変禁止」）"
    )
    article = Article.objects.get(source_url="http://news.example.jp/article/detail/1001/")
    assert article.headline == "商店街に猫の駅長が就任"
    assert article.status == Article.Status.PUBLISHED
    assert article.published_at == datetime(2012, 9, 3, 10, 15, tzinfo=ZoneInfo("Asia/Tokyo"))
    assert article.category.slug == "topic-news"
    assert not article.writers.exists()
    # the text is not altered: escaped, paragraphs kept, single newlines as <br>
    assert article.body == (
        "<p>駅前の商店街で、看板猫の「みけ」が一日駅長に任命された。</p>"
        "<p>式典には近所の子どもたちも集まり、&lt;大きな&gt;拍手が送られた。<br>次の行</p>"
    )
    assert article.description.startswith("駅前の商店街で")

    page = client.get(article.get_absolute_url()).content.decode()
    assert "&lt;大きな&gt;拍手" in page
    # the credit LICENSE.txt asks for, with the provider and the licence linked by name
    assert 'href="http://news.example.jp/article/detail/1001/" rel="nofollow">元の記事</a>' in page
    assert '提供元: <a href="http://news.example.jp/category/topic-news/" rel="nofollow">トピックニュース</a>' in page
    assert (
        'ライセンス: <a href="http://creativecommons.org/licenses/by-nd/2.1/jp/" rel="license">'
        "クリエイティブ・コモンズ「表示 - 改変禁止」</a>"
    ) in page


@pytest.mark.django_db
def test_imported_articles_get_their_derived_fields_from_the_models_one_rule(tmp_path):
    # bulk_create skips save(); the importer once carried its own copy of save()'s derivations.
    with mock.patch.object(Article, "derive_fields", autospec=True, side_effect=Article.derive_fields) as derive:
        run_import(write_corpus(tmp_path))
    assert derive.call_count == 3
    for article in Article.objects.all():
        stored = (article.body, article.description)
        article.derive_fields()
        assert (article.body, article.description) == stored  # what save() would have stored
    assert "&lt;大きな&gt;" in Article.objects.get(source_url__endswith="/1001/").body


@pytest.mark.django_db
def test_it_reads_the_tar_gz_as_well_as_the_folder(tmp_path):
    corpus = write_corpus(tmp_path / "src")
    archive = tmp_path / "corpus.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        tar.add(corpus / "ldcc-text", arcname="ldcc-text")

    assert "Imported 3 article(s)" in run_import(archive)
    assert Article.objects.filter(category__slug="sports-watch").count() == 1
    assert Article.objects.get(headline="延長戦の末にサヨナラ勝ち").source_credit.startswith("提供元: Sports Watch")


@pytest.mark.django_db
def test_it_adds_nothing_twice_when_run_again(tmp_path):
    corpus = write_corpus(tmp_path)
    run_import(corpus)
    ids = sorted(Article.objects.values_list("pk", flat=True))

    output = run_import(corpus / "ldcc-text")  # the channel folders directly, this time

    assert "Imported 0 article(s); 3 were already there." in output
    assert sorted(Article.objects.values_list("pk", flat=True)) == ids
    assert Category.objects.count() == 2


@pytest.mark.django_db
def test_a_single_channel_folder_imports_on_its_own(tmp_path):
    corpus = write_corpus(tmp_path)

    assert "Imported 1 article(s)" in run_import(corpus / "ldcc-text" / "sports-watch")
    assert list(Category.objects.values_list("slug", flat=True)) == ["sports-watch"]


@pytest.mark.django_db
def test_a_new_file_in_a_second_run_is_the_only_one_added(tmp_path):
    corpus = write_corpus(tmp_path)
    run_import(corpus)
    (corpus / "ldcc-text/topic-news/topic-news-1003.txt").write_text(
        "http://news.example.jp/article/detail/1003/\n2012-09-06T09:00:00+0900\n図書館が夜間開館を試行\n本文。\n",
        encoding="utf-8",
    )

    assert "Imported 1 article(s); 3 were already there." in run_import(corpus)
    assert Article.objects.count() == 4


BAD_FILES = [
    ("no-time.txt", "http://news.example.jp/article/detail/9001/\n", "line 2: missing the publication time"),
    (
        "bad-date.txt",
        "http://news.example.jp/a/9002/\n2012-13-45T99:00:00+0900\n見出し\n本文\n",
        "line 2: not an ISO 8601 time",
    ),
    (
        "naive-date.txt",
        "http://news.example.jp/a/9003/\n2012-09-01T10:00:00\n見出し\n本文\n",
        "line 2: time without a UTC offset",
    ),
    ("empty-title.txt", "http://news.example.jp/a/9004/\n2012-09-01T10:00:00+0900\n  \n本文\n", "line 3: empty title"),
    ("not-url.txt", "見出しだけ\n2012-09-01T10:00:00+0900\n見出し\n本文\n", "line 1: not a web address"),
    ("no-body.txt", "http://news.example.jp/a/9005/\n2012-09-01T10:00:00+0900\n見出し\n", "line 4: no body text"),
    (
        "sjis.txt",
        b"http://news.example.jp/a/9006/\n2012-09-01T10:00:00+0900\n" + "見出し\n".encode("shift_jis"),
        "line 3: not UTF-8 text",
    ),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("name", "content", "reason"), BAD_FILES, ids=[b[0] for b in BAD_FILES])
def test_one_bad_file_stops_the_import_and_changes_nothing(tmp_path, name, content, reason):
    existing = Category.objects.create(name="政治", slug="politics")
    corpus = write_corpus(tmp_path, {f"sports-watch/{name}": content})

    with pytest.raises(CommandError) as error:
        run_import(corpus)

    assert f"ldcc-text/sports-watch/{name}, {reason}" in str(error.value)
    assert "Nothing was imported" in str(error.value)
    assert Article.objects.count() == 0
    assert list(Category.objects.all()) == [existing]


@pytest.mark.django_db
def test_skip_bad_imports_the_good_files_and_lists_every_bad_one(tmp_path):
    corpus = write_corpus(
        tmp_path,
        {
            "sports-watch/sports-watch-9001.txt": BAD_FILES[1][1],
            "topic-news/topic-news-9002.txt": BAD_FILES[3][1],
            # the same source URL as an article already in the corpus
            "topic-news/topic-news-9003.txt": ARTICLES["topic-news/topic-news-1002.txt"],
        },
    )

    output = run_import(corpus, "--skip-bad")

    assert "Imported 3 article(s)" in output
    assert "Skipped 3 bad file(s):" in output
    assert "ldcc-text/sports-watch/sports-watch-9001.txt, line 2: not an ISO 8601 time" in output
    assert "ldcc-text/topic-news/topic-news-9002.txt, line 3: empty title" in output
    assert (
        f"{tmp_path.name}/ldcc-text/topic-news/topic-news-9003.txt, line 1: same source URL as "
        f"{tmp_path.name}/ldcc-text/topic-news/topic-news-1002.txt"
    ) in output
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_a_missing_path_is_a_clear_error(tmp_path):
    with pytest.raises(CommandError, match="no such file or folder"):
        run_import(tmp_path / "nowhere.tar.gz")


@pytest.mark.django_db(transaction=True)
def test_listeners_hear_once_with_every_new_article_id(tmp_path):
    heard = []

    def listener(sender, article_ids, **kwargs):
        heard.append(sorted(article_ids))

    articles_imported.connect(listener)
    try:
        corpus = write_corpus(tmp_path)
        run_import(corpus)
        run_import(corpus)  # nothing new: nobody is told
    finally:
        articles_imported.disconnect(listener)
    assert heard == [sorted(Article.objects.values_list("pk", flat=True))]


@pytest.mark.django_db(transaction=True)
def test_it_says_so_before_the_listeners_start_their_work(tmp_path):
    output = run_import(write_corpus(tmp_path))
    assert output.index("Saved 3 new article(s); updating the search index") < output.index("Imported 3 article(s)")


@pytest.mark.django_db
def test_it_imports_the_real_corpus_first_channel(client):
    output = run_import(shared_corpus(REAL_CORPUS), "--channel", "topic-news")

    assert "Imported 770 article(s)" in output
    category = Category.objects.get(slug="topic-news")
    assert category.name == "トピックニュース"
    article = Article.objects.filter(category=category).first()
    assert article.source_url.startswith("http://news.livedoor.com/article/detail/")
    assert article.source_credit == (
        "提供元: トピックニュース http://news.livedoor.com/category/vender/news/ ／ "
        "ライセンス: クリエイティブ・コモンズ「表示 - 改変禁止」 "
        "http://creativecommons.org/licenses/by-nd/2.1/jp/"
    )
    response = client.get(article.get_absolute_url())
    assert response.status_code == 200
    assert 'rel="nofollow">トピックニュース</a>' in response.content.decode()


@pytest.mark.django_db(transaction=True)
def test_an_import_leaves_the_planner_fresh_statistics(tmp_path):
    from django.db import connection

    if connection.vendor != "sqlite":
        pytest.skip("sqlite_stat1 is SQLite's")
    with connection.cursor() as cursor:
        cursor.execute("DROP TABLE IF EXISTS sqlite_stat1")
    run_import(write_corpus(tmp_path))
    with connection.cursor() as cursor:
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = 'newsroom_article' LIMIT 1")
        assert cursor.fetchone()[0].split()[0] == "3"  # the planner knows the table's three rows


@pytest.mark.django_db
def test_the_import_writes_with_a_large_sqlite_cache_and_gives_it_back(tmp_path):
    # A long import re-read its own pages from the write-ahead log through SQLite's 2 MB default cache
    # (CPU per file grew with the archive); the worker's connection must not keep the large cache after.
    from django.db import connection

    from kiji.lib.db import LARGE_WRITE_CACHE_KIB
    from kiji.newsroom.services import importing

    if connection.vendor != "sqlite":
        pytest.skip("PRAGMA cache_size is SQLite's")

    def cache_size():
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            return cursor.fetchone()[0]

    before, during = cache_size(), []
    original = importing.parse_article

    def parse_and_look(file):
        during.append(cache_size())
        return original(file)

    with mock.patch.object(importing, "parse_article", parse_and_look):
        run_import(write_corpus(tmp_path))
    assert during == [-LARGE_WRITE_CACHE_KIB] * 3
    assert cache_size() == before != -LARGE_WRITE_CACHE_KIB


@pytest.mark.django_db
def test_a_tar_with_the_licences_after_the_articles_still_credits_each_channel(tmp_path):
    corpus = write_corpus(tmp_path / "src") / "ldcc-text"
    archive = tmp_path / "corpus.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        licences = sorted(corpus.rglob("LICENSE.txt"))
        for file in sorted(set(corpus.rglob("*.txt")) - set(licences)) + licences:  # the licences come last
            tar.add(file, arcname=f"ldcc-text/{file.relative_to(corpus).as_posix()}")

    assert "Imported 3 article(s)" in run_import(archive)
    assert Article.objects.get(headline="延長戦の末にサヨナラ勝ち").source_credit.startswith("提供元: Sports Watch")
    assert Category.objects.get(slug="topic-news").description.startswith(
        "livedoor ニュースコーパスの記事（提供元: トピック"
    )


@pytest.mark.django_db
def test_the_import_saves_as_it_reads_instead_of_reading_everything_first(tmp_path):
    from kiji.newsroom.services import importing

    corpus = write_corpus(tmp_path)
    saved_when_read = []
    original = importing.parse_article

    def parse_and_look(file):
        saved_when_read.append(Article.objects.count())
        return original(file)

    with mock.patch.object(importing, "BATCH_SIZE", 1), mock.patch.object(importing, "parse_article", parse_and_look):
        run_import(corpus)

    assert saved_when_read == [0, 1, 2]  # each file is parsed after the ones before it were saved
    assert Article.objects.count() == 3


def test_reading_a_large_tar_keeps_no_memory_for_the_files_already_read(tmp_path):
    import io
    import tracemalloc

    from kiji.newsroom.services.importing import iter_corpus

    archive = tmp_path / "large.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        for number in range(5000):
            data = f"http://news.example.jp/{number}/\n2012-09-03T10:15:00+0900\n見出し\n本文\n".encode()
            member = tarfile.TarInfo(f"ldcc-text/topic-news/topic-news-{number:07d}.txt")
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))

    held = {}
    tracemalloc.start()
    try:
        for count, _file in enumerate(iter_corpus(archive), start=1):
            if count in (1000, 5000):
                held[count] = tracemalloc.get_traced_memory()[0]
    finally:
        tracemalloc.stop()

    # Each file already read used to stay in memory (its tar header, ≈ 0.5 KB: 2 MB for these 4,000 more
    # files, 350 MB at 100 times the livedoor corpus); now the 4,000 more files hold almost nothing.
    assert held[5000] - held[1000] < 200_000


@pytest.mark.django_db
def test_a_duplicate_in_a_later_batch_stops_the_import_and_names_the_earlier_file(tmp_path):
    # BATCH_SIZE 2: sports-watch-2001 and topic-news-1001 are saved before topic-news-9003 is read.
    corpus = write_corpus(tmp_path, {"topic-news/topic-news-9003.txt": ARTICLES["topic-news/topic-news-1001.txt"]})
    with mock.patch("kiji.newsroom.services.importing.BATCH_SIZE", 2):
        with pytest.raises(CommandError) as raised:
            run_import(corpus)
    assert (
        f"topic-news-9003.txt, line 1: same source URL as {tmp_path.name}/ldcc-text/topic-news/topic-news-1001.txt\n"
    ) in str(raised.value)
    assert Article.objects.count() == 0


@pytest.mark.django_db
def test_skip_bad_across_batches_lists_the_bad_files_in_the_archive_order(tmp_path):
    corpus = write_corpus(
        tmp_path,
        {
            "topic-news/topic-news-9003.txt": ARTICLES["topic-news/topic-news-1001.txt"],  # a duplicate
            "topic-news/topic-news-9004.txt": BAD_FILES[3][1],  # empty title
            "topic-news/topic-news-9005.txt": ARTICLES["sports-watch/sports-watch-2001.txt"],  # a duplicate
        },
    )
    with mock.patch("kiji.newsroom.services.importing.BATCH_SIZE", 2):
        output = run_import(corpus, "--skip-bad")

    assert "Imported 3 article(s)" in output
    bad = [line.split("topic-news/")[1].split(",")[0] for line in output.splitlines() if ", line " in line]
    assert bad == ["topic-news-9003.txt", "topic-news-9004.txt", "topic-news-9005.txt"]
    assert "topic-news-9005.txt, line 1: same source URL as " in output
    assert output.split("topic-news-9005.txt, line 1: same source URL as ")[1].startswith(
        f"{tmp_path.name}/ldcc-text/sports-watch/sports-watch-2001.txt"
    )
    assert Article.objects.count() == 3


@pytest.mark.django_db
def test_the_import_keeps_no_memory_for_the_files_already_saved(tmp_path):
    import gc
    import io
    import tracemalloc

    from kiji.newsroom.services.importing import import_ldcc

    archive = tmp_path / "large.tar.gz"
    with tarfile.open(archive, "w:gz") as tar:
        files = [("LICENSE.txt", LICENCE.format(name="トピックニュース", slug="topic-news"))] + [
            (
                f"topic-news-{n:07d}.txt",
                f"http://news.example.jp/article/detail/{n:07d}/\n2012-09-03T10:15:00+0900\n見出し{n}\n本文\n",
            )
            for n in range(6000)
        ]
        for name, text in files:
            data = text.encode()
            member = tarfile.TarInfo(f"ldcc-text/topic-news/{name}")
            member.size = len(data)
            tar.addfile(member, io.BytesIO(data))
    held, count = {}, 0

    def progress(step):
        nonlocal count
        count += step
        if count in (1000, 6000):
            gc.collect()  # what is only waiting for the collector is not held
            held[count] = tracemalloc.get_traced_memory()[0]

    tracemalloc.start()
    try:
        report = import_ldcc(path=archive, progress=progress)
    finally:
        tracemalloc.stop()

    assert report.created == 6000
    # Each file saved used to leave its source URL and name behind (≈ 270 bytes: 1.3 MB for these 5,000
    # more files, ≈ 180 MB at 100 times the livedoor corpus); now only its new id (8 bytes).
    assert held[6000] - held[1000] < 300_000
