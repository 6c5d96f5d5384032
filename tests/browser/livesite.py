"""Fills and inspects the browser tests' own site database (run as a script inside the server's environment).

    python tests/browser/livesite.py seed           # demo-like content; prints the covered URLs as JSON
    python tests/browser/livesite.py body PK        # an article's stored body, as JSON
    python tests/browser/livesite.py comments PK    # an article's stored comment texts, as JSON
    python tests/browser/livesite.py desk-article   # a second editor and a live article with a draft-time revision
    python tests/browser/livesite.py article PK     # an article's headline, body, status and times, as JSON
    python tests/browser/livesite.py review-article # a writer with a draft of their own, and the second editor
    python tests/browser/livesite.py long-comments PK # one visitor's comments with a long URL and a 300-character run

It runs in a subprocess with the live server's environment (KIJI_VAR_DIR, DATABASE_URL), so the test
process never touches the server's database through Django's test database machinery.
"""

import io
import json
import os
import sys
from datetime import timedelta
from urllib.parse import quote

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "kiji.settings")

import django  # noqa: E402

django.setup()

from django.apps import apps  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.files.uploadedfile import SimpleUploadedFile  # noqa: E402
from django.urls import reverse  # noqa: E402
from django.utils import timezone  # noqa: E402

from kiji.lib.dates import to_jst  # noqa: E402
from kiji.newsroom.models import Article, Category, Correction, Image, Tag, Writer  # noqa: E402
from kiji.newsroom.services.images import store_upload  # noqa: E402

ADMIN_USERNAME = "browser-admin"
ADMIN_PASSWORD = "browser-admin-pw-2026"

# Written for these tests (not corpus text): typical Japanese news prose with lists, a quote and a long URL.
FEATURE_BODY = """
<p>政府は30日、来年度予算案の概要をまとめた。社会保障費の伸びを抑えつつ、防災と子育て支援に重点を置く。</p>
<h2>主な項目</h2>
<ul><li>防災・減災のための公共事業の前倒し</li><li>子育て世帯への給付の拡充</li><li>地方の交通網の維持</li></ul>
<p>財務省の担当者は「歳出の見直しは道半ばだ」と述べた。詳しい資料は
https://www.example.go.jp/budget/2027/overview/summary-of-the-draft-budget-for-fiscal-year-2027.pdf で公開されている。</p>
<h2>今後の日程</h2>
<ol><li>閣議決定（12月下旬）</li><li>国会への提出（1月）</li><li>衆議院での審議</li></ol>
<blockquote><p>「国民生活を守る予算にしたい」（首相）</p></blockquote>
<p>野党は「将来世代へのつけ回しだ」として、審議で追及する構えだ。</p>
"""

HEADLINES = [
    ("politics", "衆院選の投票率、前回を上回る見通し　期日前投票が過去最多"),
    ("politics", "地方創生交付金の配分見直しへ　人口減少地域を重点支援"),
    ("politics", "国会会期末を控え与野党の攻防が激化"),
    ("korea", "ソウルで日韓外相会談　経済協力の強化で一致"),
    ("korea", "韓国の出生率、過去最低を更新　政府が緊急対策"),
    ("korea", "釜山港の貨物取扱量が回復　物流網の再編進む"),
    ("entertainment", "人気ドラマの続編が来春放送へ　主演続投が決定"),
    ("entertainment", "国際映画祭で日本作品が最高賞　監督「夢のよう」"),
    ("entertainment", "年末の音楽特番、出演者第一弾を発表"),
]


def _jpeg(width: int, height: int) -> SimpleUploadedFile:
    from PIL import Image as PILImage

    buf = io.BytesIO()
    PILImage.new("RGB", (width, height), (40, 90, 150)).save(buf, "JPEG", quality=80)
    return SimpleUploadedFile("kokkai.jpg", buf.getvalue(), content_type="image/jpeg")


def _lead_image() -> Image:
    image = Image(alt="国会議事堂の外観", caption="国会議事堂（東京・永田町）", credit="撮影：Kiji編集部")
    return store_upload(image=image, upload=_jpeg(1280, 720))


def _article(category, headline, *, writers, tags=(), hours_ago=1, **fields) -> Article:
    body = fields.pop(
        "body", f"<p>{headline}。関係者への取材で分かった。</p><p>詳しい経緯は今後の取材で明らかにする。</p>"
    )
    article = Article.objects.create(
        headline=headline,
        body=body,
        category=category,
        status=Article.Status.PUBLISHED,
        published_at=timezone.now() - timedelta(hours=hours_ago),
        **fields,
    )
    for position, writer in enumerate(writers):
        article.byline_set.create(writer=writer, position=position)
    article.tags.set(tags)
    return article


def _add_comments(article: Article) -> None:
    """Approved reader comments, posted and approved through the comments app's services when it is installed."""
    if not apps.is_installed("kiji.comments"):
        return
    from kiji.comments import services

    admin = get_user_model().objects.get(username=ADMIN_USERNAME)
    posted = []
    for i, (nickname, body) in enumerate(
        [
            ("読者A", "丁寧な解説で分かりやすかったです。"),
            ("読者B", "防災予算の中身をもっと詳しく知りたい。\n続報を待っています。"),
        ]
    ):
        visitor = services.get_visitor(key=f"browser-seed-{i}")
        posted.append(services.post_comment(article=article, visitor=visitor, body=body, nickname=nickname))
    services.approve_comments(comments=[c for c in posted if c.status != "approved"], by=admin)


def _add_views(articles: list[Article]) -> None:
    """Views in the last hours, so rankings, trending and also-read lists have entries (audience app)."""
    if not apps.is_installed("kiji.audience"):
        return
    from collections import Counter

    from kiji.audience.backends import hour_of
    from kiji.audience.lists import compute_lists
    from kiji.audience.store import persist_counts

    hour = hour_of(timezone.now())
    views = Counter({(a.pk, hour - h): (len(articles) - i) * 10 + h for i, a in enumerate(articles) for h in range(3)})
    readers = Counter({(articles[0].pk, a.pk): 5 for a in articles[1:4]})
    persist_counts(views, readers)
    compute_lists()


def _reindex() -> None:
    """Rows made here through the ORM reach the search index the way imports do: `kiji reindex`."""
    from django.core.management import call_command, get_commands

    if "reindex" in get_commands():
        call_command("reindex", stdout=io.StringIO())


def seed() -> dict:
    from kiji.newsroom.roles import ensure_roles

    ensure_roles()
    User = get_user_model()
    if not User.objects.filter(username=ADMIN_USERNAME).exists():
        User.objects.create_superuser(ADMIN_USERNAME, password=ADMIN_PASSWORD)
    try:  # `kiji demo`'s content first, as a new site has it; ours goes on top
        from kiji.newsroom.services.demo import load_demo
    except ImportError:
        pass
    else:
        load_demo()
    categories = {
        slug: Category.objects.get_or_create(slug=slug, defaults={"name": name, "position": i})[0]
        for i, (slug, name) in enumerate([("politics", "政治"), ("korea", "韓国"), ("entertainment", "エンタメ")])
    }
    hanako = Writer.objects.create(
        name="山田 花子", slug="yamada-hanako", email="hanako@example.jp", bio="政治部記者。国会と地方自治を担当。"
    )
    ichiro = Writer.objects.create(name="佐藤 一郎", slug="sato-ichiro", bio="ソウル支局長。")
    budget = Tag.objects.get_or_create(name="予算", defaults={"slug": "予算"})[0]
    election = Tag.objects.get_or_create(name="選挙", defaults={"slug": "選挙"})[0]
    articles = []
    for i, (cat, headline) in enumerate(HEADLINES):
        articles.append(
            _article(
                categories[cat],
                headline,
                writers=[hanako if cat == "politics" else ichiro],
                tags=[election] if "選" in headline else [],
                hours_ago=2 + i,
            )
        )
    for i in range(22):  # enough for a second page of the category list
        _article(categories["politics"], f"政治短信（{i + 1}）　各党の動き", writers=[hanako], hours_ago=20 + i)
    feature = _article(
        categories["politics"],
        "来年度予算案、防災と子育てに重点　歳出は過去最大の見通し",
        deck="社会保障費の伸びを抑制、国債発行は減額へ",
        body=FEATURE_BODY,
        writers=[hanako, ichiro],
        tags=[budget, election],
        hours_ago=0.02,
        lead_image=_lead_image(),
        source_credit="Kiji 政治部",
    )
    # A PR article (広告/PR label on the page and in every list): the entertainment one, ranked by views below
    sponsored = next(a for a in articles if a.category_id == categories["entertainment"].pk)
    sponsored.sponsorship, sponsored.sponsor_name = Article.Sponsorship.PR, "サンプル映像株式会社"
    sponsored.save(update_fields=["sponsorship", "sponsor_name"])
    Correction.objects.create(
        article=feature, text="初出時、閣議決定の時期を「11月」としていましたが「12月下旬」の誤りでした。"
    )
    _add_comments(feature)
    _add_views([feature, *articles])
    _reindex()
    draft = Article.objects.create(headline="下書き：入力テスト", body="", category=categories["politics"])
    month = to_jst(feature.published_at)
    return {
        "admin": [ADMIN_USERNAME, ADMIN_PASSWORD],
        "article_pk": feature.pk,
        "headline": feature.headline,
        "draft_pk": draft.pk,
        "sponsored_headline": sponsored.headline,
        "pages": {
            "sponsored": sponsored.get_absolute_url(),
            "sponsored_category": categories["entertainment"].get_absolute_url(),
            "home": "/",
            "category": categories["politics"].get_absolute_url(),
            "article": feature.get_absolute_url(),
            "writer": hanako.get_absolute_url(),
            "tag": budget.get_absolute_url(),
            # 記事アーカイブ: the feature's month
            "archive": reverse("reader:archive_month", args=[month.year, month.month]),
            "search": "/search/?q=%E4%BA%88%E7%AE%97",  # 予算
            # もしかして (a typo of 歳出), the year filter note and its way out: 予算案 サイシュッツ 2026年
            "search-reader": "/search/?q=" + quote(f"予算案 サイシュッツ {feature.published_at.year}年"),
            "ranking": "/ranking/",
            "comments": f"/articles/{feature.pk}/comments/",
            "404": "/no-such-page/",
        },
    }


def comments(pk: int) -> list[str]:
    if not apps.is_installed("kiji.comments"):
        return []
    Comment = apps.get_model("comments", "Comment")
    return list(Comment.objects.filter(article_id=pk).order_by("pk").values_list("body", flat=True))


DESK_USERNAME = "browser-desk"
DESK_PASSWORD = "browser-desk-pw-2026"


def _staff(username: str, password: str, group: str, name: str, slug: str):
    """A staff login in a role, with its writer profile; made once."""
    from django.contrib.auth.models import Group

    user = get_user_model().objects.filter(username=username).first()
    if user is None:
        user = get_user_model().objects.create_user(username, password=password, is_staff=True)
        user.groups.add(Group.objects.get(name=group))
        Writer.objects.create(name=name, slug=slug, user=user)
    return user


def desk_article() -> dict:
    """A second editor, and a live article with a revision from when it was a draft (the desk's tests)."""
    from kiji.newsroom.permissions import EDITORS_GROUP
    from kiji.newsroom.services.publishing import record_revision

    _staff(DESK_USERNAME, DESK_PASSWORD, EDITORS_GROUP, "佐藤 デスク", "sato-desk")
    User = get_user_model()
    admin = User.objects.get(username=ADMIN_USERNAME)
    article = Article.objects.create(
        headline="予算案の概要まとまる（下書き）",
        body="<p>下書きの段落。</p>",
        category=Category.objects.first(),
        status=Article.Status.DRAFT,
    )
    old = record_revision(article, by=admin, note="下書き")
    published_at = timezone.now() - timedelta(days=2)
    Article.objects.filter(pk=article.pk).update(
        headline="来年度予算案の概要まとまる",
        body="<p>公開した段落。</p>",
        status="published",
        published_at=published_at,
    )
    article.refresh_from_db()
    record_revision(article, by=admin, note="公開")
    return {"pk": article.pk, "old_revision": old.pk, "desk": [DESK_USERNAME, DESK_PASSWORD]}


WRITER_USERNAME = "browser-writer"
WRITER_PASSWORD = "browser-writer-pw-2026"


def review_article() -> dict:
    """A writer (記者) with a draft of their own, and the second editor (the review inbox's test)."""
    from kiji.newsroom.permissions import EDITORS_GROUP, WRITERS_GROUP

    _staff(DESK_USERNAME, DESK_PASSWORD, EDITORS_GROUP, "佐藤 デスク", "sato-desk")
    user = _staff(WRITER_USERNAME, WRITER_PASSWORD, WRITERS_GROUP, "山田 記者", "yamada-kisha")
    article = Article.objects.create(
        headline="駅前再開発、来春着工へ　市が計画案を公表",
        body="<p>市は駅前の再開発計画案を公表した。商業施設と保育所を併設する。</p>",
        category=Category.objects.first(),
        status=Article.Status.DRAFT,
        created_by=user,
    )
    article.byline_set.create(writer=user.writer, position=0)
    return {
        "pk": article.pk,
        "headline": article.headline,
        "writer": [WRITER_USERNAME, WRITER_PASSWORD],
        "desk": [DESK_USERNAME, DESK_PASSWORD],
    }


# A URL and a run of characters with nowhere to break a line (the moderation pages' wrapping test).
LONG_URL_COMMENT = (
    "資料はこちら https://www.example.go.jp/budget/2027/overview/"
    "summary-of-the-draft-budget-for-fiscal-year-2027-with-all-appendices-and-tables.pdf?from=kiji&page=12"
)
LONG_RUN_COMMENT = "w" * 300


def long_comments(pk: int) -> list[int]:
    """Two comments by one visitor on an article (a long URL; 300 characters without a space): their pks."""
    from kiji.comments import services

    article = Article.objects.get(pk=pk)
    visitor = services.get_visitor(key="browser-long-comments")
    return [
        services.post_comment(article=article, visitor=visitor, body=body, nickname="読者C").pk
        for body in (LONG_URL_COMMENT, LONG_RUN_COMMENT)
    ]


def article_state(pk: int) -> dict:
    article = Article.objects.get(pk=pk)
    iso = lambda t: t.isoformat() if t else None  # noqa: E731
    return {
        "headline": article.headline,
        "body": article.body,
        "status": article.status,
        "published_at": iso(article.published_at),
        "updated_at": iso(article.updated_at),
        "url": article.get_absolute_url(),
    }


if __name__ == "__main__":
    command, *args = sys.argv[1:]
    if command == "seed":
        result = seed()
    elif command == "body":
        result = Article.objects.get(pk=int(args[0])).body
    elif command == "comments":
        result = comments(int(args[0]))
    elif command == "desk-article":
        result = desk_article()
    elif command == "review-article":
        result = review_article()
    elif command == "long-comments":
        result = long_comments(int(args[0]))
    elif command == "article":
        result = article_state(int(args[0]))
    else:
        sys.exit(f"unknown command {command!r}")
    print(json.dumps(result, ensure_ascii=False))
