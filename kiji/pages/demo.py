"""The standing pages every news site has (会社概要, プライバシーポリシー, お問い合わせ), for the demo site."""

from kiji.pages.models import Page

DEMO_PAGES = [
    (
        "company",
        "会社概要",
        "<p>Kiji ニュースは、政治・韓国・エンタメのニュースを届けるデモ用のニュースサイトです。</p>"
        "<p>運営: 株式会社キジ（架空の会社です）<br>所在地: 東京都千代田区（架空の住所です）</p>",
    ),
    (
        "privacy",
        "プライバシーポリシー",
        "<p>閲覧数はクッキーを使わずに数えます。IP アドレスやブラウザーの情報は保存しません。</p>"
        "<p>コメント欄とメールマガジンのために預かった情報は、その目的にだけ使います。</p>",
    ),
    (
        "contact",
        "お問い合わせ",
        "<p>記事の誤りのご指摘やご意見は、各記事の末尾にある記者の連絡先までお寄せください。</p>",
    ),
]


def load_demo_pages() -> int:
    """Create the demo's standing pages, linked from the footer, if the site has no pages yet; how many."""
    if Page.objects.exists():
        return 0
    for position, (slug, title, body) in enumerate(DEMO_PAGES):
        Page.objects.create(
            slug=slug, title=title, body=body, status=Page.Status.PUBLISHED, in_footer=True, position=position
        )
    return len(DEMO_PAGES)
