"""Importing a WordPress export: authors, categories, tags, posts, pages and comments, in one transaction.

Each WordPress thing is remembered in ImportedItem with a digest of what it was, so running the same
export again adds nothing and updates (with a revision) only what changed in WordPress since.
"""

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Max
from django.urls import reverse
from django.utils import timezone
from django.utils.text import slugify

from kiji.audience.models import EditorPick
from kiji.comments import text as comment_text
from kiji.comments.models import Comment, Visitor
from kiji.lib import pagecache
from kiji.lib.dates import ARCHIVE_YEARS
from kiji.lib.db import large_write_cache
from kiji.lib.html import html_to_text
from kiji.newsroom.models import Article, Byline, Category, Image, Tag, Writer
from kiji.newsroom.permissions import WRITERS_GROUP
from kiji.newsroom.services.images import store_upload
from kiji.newsroom.services.publishing import snapshot
from kiji.newsroom.signals import articles_imported
from kiji.pages.models import Page
from kiji.redirects.models import Redirect, canonical_old_path, key_for_url, old_path_key
from kiji.wxr import writing
from kiji.wxr.content import convert, drop_empty, gallery_grid
from kiji.wxr.mapping import (
    PERMALINK_TAG,
    STATUS,
    ascii_slug,
    check_permalinks,
    clean,
    is_below,
    item_digest,
    number,
    page_depth,
    top_comment,
    unique_page_slug,
    unique_slug,
)
from kiji.wxr.media import Uploads, upload_path
from kiji.wxr.models import ImportedItem
from kiji.wxr.parsing import Author, Item, Site, Term, WpComment, WxrError, read_export
from kiji.wxr.report import EXAMPLES, ImportReport, Listing

__all__ = ["EXAMPLES", "WxrError", "ImportReport", "Listing", "check_permalinks", "import_wxr"]

Kind = ImportedItem.Kind
IMPORT_VISITOR = "wordpress-import"  # the one visitor every imported comment is filed under
UNCATEGORIZED = ("uncategorized", "未分類")
BATCH_SIZE = 500  # posts written together; also the size of each IN (...) lookup
MENU_MAX = 10  # main-menu categories an import leaves shown in all (the rest: in the admin, one tick away)
OLD_PATH_MAX = Redirect._meta.get_field("old_path").max_length


class _Run:
    def __init__(
        self,
        report: ImportReport,
        *,
        skip_bad: bool,
        create_logins: bool,
        uploads: Uploads,
        dry_run: bool,
        permalinks: str = "",
    ):
        self.report = report
        self.permalinks = permalinks
        self.category_paths: dict[str, str] = {}  # category slug → its old path with parents (news/politics)
        self.uploads = uploads
        self.dry_run = dry_run
        self.old_hosts: set[str] = set()
        self.images: dict[str, Image | None] = {}
        self.attachment_files: dict[str, tuple[str, str, str]] = {}  # WordPress ID → (url, alt, caption)
        self.pending_leads: dict[str, list[int]] = {}  # thumbnail's WordPress ID → article IDs
        self.attachment_text: dict[str, tuple[str, str]] = {}  # file under uploads/ → (alt, caption)
        self.attached: dict[str, list[tuple[int, str]]] = {}  # post's WordPress ID → [(menu order, attachment ID)]
        self.pending_galleries: list[tuple[int, str, str]] = []  # (article ID, WordPress ID, raw content)
        self.skip_bad = skip_bad
        self.create_logins = create_logins
        self.site = ""
        self.terms: list[Term] = []
        self.writers: dict[str, Writer] = {}
        self.categories: dict[str, Category] = {}
        self.new_top_categories: list[Category] = []  # created by this run, candidates for the main menu
        self.tags: dict[str, Tag] = {}
        self.page_parents: list[tuple[Page, str]] = []
        self.pages: dict[str, Page] = {}
        self.base = ""
        self.page_links: dict[str, str] = {}
        self._known: dict[str, dict[str, ImportedItem]] = {}  # kind → key → row, for the few-per-site kinds
        self.batch: list[tuple[Item, str]] = []  # posts waiting to be written together: (item, status)
        self.batch_ids: set[str] = set()
        self._visitor: Visitor | None = None
        self._default_category: Category | None = None
        self.redirects: dict[str, str] = {}
        self.changed_ids: list[int] = []  # articles added or updated: search, lists and the page cache hear of them
        self.updated_ids: list[int] = []  # articles that were there before: their own cached pages are purged
        self.attachments: list[tuple[str, str]] = []  # (attachment page link, parent post's WordPress ID)
        self.dated: set[tuple[int, int, int]] = set()  # days whose date archives already answer

    # --- memory of what was imported ---------------------------------------------------------
    def known(self, kind: str, key: str) -> ImportedItem | None:
        """Writers, terms, pages, images: read once per kind. Posts and comments are looked up a batch at a time."""
        if kind not in self._known:
            rows = ImportedItem.objects.filter(site=self.site, kind=kind)
            self._known[kind] = {r.wp_key: r for r in rows}
        return self._known[kind].get(key)

    def known_batch(self, kind: str, keys: list[str]) -> dict[str, ImportedItem]:
        found = {}
        for start in range(0, len(keys), BATCH_SIZE):
            rows = ImportedItem.objects.filter(site=self.site, kind=kind, wp_key__in=keys[start : start + BATCH_SIZE])
            found.update((r.wp_key, r) for r in rows)
        return found

    def remember(self, kind: str, key: str, object_id: int, digest: str = "") -> None:
        row, _ = ImportedItem.objects.update_or_create(
            site=self.site, kind=kind, wp_key=key, defaults={"object_id": object_id, "digest": digest}
        )
        if kind in self._known:
            self._known[kind][key] = row

    def remember_batch(self, kind: str, rows: list[tuple[str, int, str]]) -> None:
        """(WordPress key, Kiji ID, digest) of posts or comments, written in one statement per batch."""
        now = timezone.now()
        writing.imported_items([(self.site, kind, k, pk, d, now) for k, pk, d in rows])

    # --- records --------------------------------------------------------------------------------
    def take(self, record) -> None:
        if isinstance(record, Site):
            # base_blog_url first: every WordPress.com export has the same base_site_url
            self.site = (record.base_blog_url or record.base_site_url or record.link).rstrip("/")
            self.base = unquote(urlsplit(record.base_blog_url or record.link).path).rstrip("/")
            for host in {urlsplit(u).hostname for u in (record.base_blog_url, record.link) if u} - {None}:
                bare = host.removeprefix("www.")
                # Its pictures: the same host with or without www, or WordPress.com's files host for the blog.
                self.old_hosts |= {bare, "www." + bare, bare.split(".")[0] + ".files.wordpress.com"}
            self.redirect("/feed/", "/feeds/rss/")
            self.redirect("/feed/rss2/", "/feeds/rss/")
            self.redirect("/feed/atom/", "/feeds/atom/")
        elif isinstance(record, Author):
            self.writer(record)
        elif isinstance(record, Term):
            self.terms.append(record)  # all come before the items; parents may follow children
        elif isinstance(record, Item):
            if self.terms:
                self.flush_terms()
            if record.wp_id in self.batch_ids:
                self.flush_posts()  # the same post twice in one export: the second updates the first
            self.item(record)
            self.batch_ids.add(record.wp_id)
            if len(self.batch) >= BATCH_SIZE:
                self.flush_posts()

    def redirect(self, old: str, new: str) -> None:
        """Remember that `old` (a path, /?p=12, or a full URL of the old site) now lives at `new`."""
        if old.startswith(("http://", "https://")):
            old = key_for_url(old)
        elif old.startswith("/") and "?" not in old:
            old = old_path_key(self.base + old if not old.startswith(self.base + "/") else old)
        if old and old != new:
            self.redirects[old] = new

    def attachment(self, item: Item) -> None:
        if item.link:
            self.attachments.append((item.link, item.parent))
        if item.attachment_url:
            if host := urlsplit(item.attachment_url).hostname:
                self.old_hosts.add(host)
            alt = item.first_meta("_wp_attachment_image_alt") or item.title
            self.attachment_files[item.wp_id] = (item.attachment_url, clean(alt), clean(html_to_text(item.excerpt)))
            self.attachment_text[upload_path(item.attachment_url)] = self.attachment_files[item.wp_id][1:]
            self.attached.setdefault(item.parent, []).append((item.menu_order, item.wp_id))
        self.report.skipped["添付ファイルのページ（元の記事へ転送）"] += 1

    def image(self, url: str, alt: str = "", caption: str = "") -> Image | None:
        """Kiji's copy of an old site's picture, made once from UPLOADS; None (listed as missing) without the file."""
        relative = upload_path(url)
        if relative in self.images:
            return self.images[relative]
        image = None
        found = self.uploads.read(relative) if self.uploads else None
        name = found[0] if found else relative  # a resized copy (a-300x200.jpg) is made from its original
        if name in self.images:
            image = self.images[name]
        elif row := self.known(Kind.IMAGE, name):
            image = Image.objects.filter(pk=row.object_id).first()
        if image is None:
            if found is None:
                self.report.missing_media.append(url)
            elif not self.dry_run:  # a dry run writes no file either
                try:
                    upload = ContentFile(found[1], name=name.rsplit("/", 1)[-1])
                    # The media library's alt text and caption, when the picture is there, over the body's.
                    alt, caption = self.attachment_text.get(name, (alt, caption))
                    image = store_upload(image=Image(alt=alt[:200], caption=caption[:300]), upload=upload)
                except ValidationError as exc:
                    self.report.missing_media.append(f"{url}（{' '.join(exc.messages)}）")
                else:
                    self.remember(Kind.IMAGE, name, image.pk)
                    self.report.images += 1
        self.images[relative] = self.images[name] = image
        return image

    def is_old(self, url: str) -> bool:
        return url.startswith(("http://", "https://", "//")) and urlsplit(url).hostname in self.old_hosts

    def repoint(self, html: str) -> str:
        """Pictures to Kiji's copies (or their alt text), links to the old site to paths this site redirects."""

        def img(match: re.Match) -> str:
            tag = match.group(0)
            attrs = {m[1].lower(): m[3] if m[3] is not None else m[4] for m in _ATTR.finditer(tag)}
            src = attrs.get("src", "")
            if not (self.is_old(src) or src.startswith("/wp-content/")):
                return tag
            image = self.image(src, attrs.get("alt", ""))
            if image is None:
                return escape(attrs.get("alt", ""))
            tag = _ATTR.sub(lambda m: "" if m[1].lower() in ("srcset", "sizes") else m[0], tag)
            return tag.replace(src, image.file.url, 1)

        def href(match: re.Match) -> str:
            url = match[3] if match[3] is not None else match[4]
            if not self.is_old(url):
                return match.group(0)
            if "/uploads/" in url or urlsplit(url).hostname.endswith(".files.wordpress.com"):
                image = self.image(url)
                return f' {match[1]}="{image.file.url}"' if image else ""
            parts = urlsplit(url)
            return f' {match[1]}="{escape(parts.path or "/")}{"?" + escape(parts.query) if parts.query else ""}"'

        lost = []  # pictures not in UPLOADS: their wrappers may be left empty

        def img_or_alt(match: re.Match) -> str:
            tag = img(match)
            if not tag.startswith("<"):
                lost.append(tag)
            return tag

        html = _HREF.sub(href, _IMG.sub(img_or_alt, html))
        return drop_empty(html) if lost else html

    def galleries(self) -> None:
        """Posts with a [gallery], converted again now that every attachment of the export is known."""
        for article_id, wp_id, content in self.pending_galleries:
            article = Article.objects.get(pk=article_id)

            def grid(attrs: dict[str, str], wp_id=wp_id) -> str:
                ids = [i.strip() for i in (attrs.get("ids") or attrs.get("include") or "").split(",") if i.strip()]
                ids = ids or [a for _, a in sorted(self.attached.get(attrs.get("id") or wp_id, []))]
                files = [self.attachment_files[i] for i in ids if i in self.attachment_files]
                return gallery_grid([(url, alt or caption, caption) for url, alt, caption in files])

            article.body = self.repoint(convert(content, self.report.shortcodes, gallery=grid))
            article.save(update_fields=["body", "description"])

    def lead_images(self) -> None:
        """Featured images, once every attachment of the export is known: one UPDATE per picture."""
        for thumbnail_id, article_ids in self.pending_leads.items():
            if file := self.attachment_files.get(thumbnail_id):
                url, alt, caption = file
                if image := self.image(url, alt, caption):
                    for start in range(0, len(article_ids), BATCH_SIZE):
                        chunk = article_ids[start : start + BATCH_SIZE]
                        Article.objects.filter(pk__in=chunk).exclude(lead_image=image).update(lead_image=image)

    def attachment_redirects(self) -> None:
        """An attachment page answers with the post it belongs to (which may come after it in the file)."""
        for start in range(0, len(self.attachments), BATCH_SIZE):
            chunk = self.attachments[start : start + BATCH_SIZE]
            rows = self.known_batch(Kind.ARTICLE, list({parent for _, parent in chunk}))
            articles = Article.objects.only("pk", "slug").in_bulk([r.object_id for r in rows.values()])
            for link, parent_id in chunk:
                if (row := rows.get(parent_id)) and (article := articles.get(row.object_id)):
                    self.redirect(link, article.get_absolute_url())
            self.write_redirects()

    def write_redirects(self) -> None:
        """The redirects gathered so far, written in one statement and forgotten: memory stays flat."""
        wanted = {}
        for old, new in self.redirects.items():
            old = canonical_old_path(old)
            if len(old) <= OLD_PATH_MAX:
                wanted[old] = new
        self.report.redirects += len(self.redirects)
        self.redirects = {}
        existing = dict(Redirect.objects.filter(old_path__in=list(wanted)).values_list("old_path", "new_path"))
        now = timezone.now()
        writing.redirects([(o, n, "WordPress", now) for o, n in wanted.items() if existing.get(o) != n])

    def finish(self) -> None:
        self.flush_terms()
        self.flush_posts()
        self.galleries()
        self.lead_images()
        for page, parent_id in self.page_parents:
            parent = self.pages.get(parent_id)
            if parent and parent.pk != page.pk and not is_below(parent, page):
                page.parent = parent
        for page in sorted(self.pages.values(), key=page_depth):  # parents first: a path starts with its parent's
            old_path = page.path
            page.derive_fields()
            if page.path != old_path:
                page.save()
        for wp_id, page in self.pages.items():
            self.redirect(f"/?page_id={wp_id}", page.get_absolute_url())
            if link := self.page_links.get(wp_id):
                self.redirect(link, page.get_absolute_url())
        self.write_redirects()
        self.attachment_redirects()
        self.trim_menu()

    def trim_menu(self) -> None:
        """The main menu gets the new categories that hold the most published articles, up to MENU_MAX
        entries in all; the others stay reachable (their pages, breadcrumbs, old URLs) but out of the menu.
        A re-run leaves the menu as the editors have set it since."""
        if not self.new_top_categories:
            return
        new_ids = [c.pk for c in self.new_top_categories]
        room = max(MENU_MAX - Category.objects.filter(in_menu=True).exclude(pk__in=new_ids).count(), 0)
        family = {c.pk: c.pk for c in self.new_top_categories}
        family.update(Category.objects.filter(parent__in=list(family)).values_list("pk", "parent_id"))
        published = Counter()
        for category_id, n in (
            Article.objects.filter(category__in=list(family), status=Article.Status.PUBLISHED)
            .values_list("category")
            .annotate(n=Count("pk"))
        ):
            published[family[category_id]] += n
        ranked = sorted(self.new_top_categories, key=lambda c: (-published[c.pk], c.position))
        shown = [c for c in ranked[:room] if published[c.pk]]
        hidden = [c.pk for c in ranked if c not in shown]
        for category in Category.objects.filter(pk__in=hidden):
            category.in_menu = False
            category.save(update_fields=["in_menu"])  # post_save: the cached menu is forgotten
        if hidden:
            names = "、".join(c.name for c in shown) or "なし"
            self.report.menu.append(
                f"メインメニューには記事の多い {len(shown)} 件（{names}）を表示し、ほかの {len(hidden)} 件は表示しません"
                "（管理画面のカテゴリーの「メインメニューに表示」で変えられます）"
            )

    def writer(self, author: Author) -> Writer:
        if author.login in self.writers:
            return self.writers[author.login]
        if row := self.known(Kind.WRITER, author.login):
            writer = Writer.objects.filter(pk=row.object_id).first()
            if writer:
                self.writers[author.login] = writer
                self.author_redirects(author, writer)
                return writer
        name = author.display_name or " ".join(p for p in (author.last_name, author.first_name) if p) or author.login
        slug = unique_slug(Writer, slugify(author.login) or "writer")
        # The e-mail stays private: only a login (with --create-logins) keeps it, never the public profile.
        writer = Writer.objects.create(name=clean(name)[:80], slug=slug, user=self.login_for(author))
        self.remember(Kind.WRITER, author.login, writer.pk)
        self.report.created[("writer", "")] += 1
        self.report.became.append(f"著者 {author.login} → 記者「{writer.name}」 {writer.get_absolute_url()}")
        self.writers[author.login] = writer
        self.author_redirects(author, writer)
        return writer

    def author_redirects(self, author: Author, writer: Writer) -> None:
        self.redirect(f"/author/{author.login}/", writer.get_absolute_url())
        if author.wp_id:
            self.redirect(f"/?author={author.wp_id}", writer.get_absolute_url())

    def login_for(self, author: Author):
        if not self.create_logins:
            return None
        User = get_user_model()
        user, created = User.objects.get_or_create(
            username=author.login[:150], defaults={"email": author.email, "is_staff": True}
        )
        if created:
            user.set_unusable_password()  # they set one through the password reset
            user.save()
            user.groups.add(Group.objects.get(name=WRITERS_GROUP))
        return user if not hasattr(user, "writer") else None

    def flush_terms(self) -> None:
        terms, self.terms = self.terms, []
        categories = {t.slug: t for t in terms if t.taxonomy == "category" and t.slug}
        for term in categories.values():
            self.category(term, categories)
        for term in terms:
            if term.taxonomy == "post_tag" and term.slug:
                self.tag(term.slug, term.name)

    def category(self, term: Term, all_terms: dict[str, Term]) -> Category:
        if term.slug in self.categories:
            return self.categories[term.slug]
        chain = [term]
        while chain[-1].parent and chain[-1].parent in all_terms and len(chain) < 50:
            if all_terms[chain[-1].parent] in chain:
                break  # a loop in the export: stop climbing
            chain.append(all_terms[chain[-1].parent])
        chain.reverse()  # top first
        old = "/category/" + "/".join(unquote(t.slug) for t in chain) + "/"
        self.category_paths[term.slug] = old.removeprefix("/category/").rstrip("/")
        if len(chain) > 2:
            target = self.category(chain[1], all_terms)
            self.categories[term.slug] = target
            self.category_redirects(old, target, term.term_id)
            names = " > ".join(t.name for t in chain)
            self.report.folded.append(f"{names} → {target.name}")
            return target
        parent = self.category(chain[0], all_terms) if len(chain) == 2 else None
        row = self.known(Kind.CATEGORY, term.slug)
        category = Category.objects.filter(pk=row.object_id).first() if row else None
        slug = ascii_slug(term.slug, fallback="category")[:60]
        if category is None:
            category = Category.objects.filter(slug=slug).first()
        if category is None:
            position = (Category.objects.aggregate(m=Max("position"))["m"] or 0) + 1
            category = Category.objects.create(
                name=clean(term.name or term.slug)[:60],
                slug=unique_slug(Category, slug, max_length=60),
                description=clean(term.description),
                parent=parent,
                position=position,
                in_menu=parent is None,
            )
            if parent is None:
                self.new_top_categories.append(category)
            self.report.created[("category", "")] += 1
            self.report.became.append(
                f"カテゴリー {unquote(term.slug)} → 「{category.name}」 {category.get_absolute_url()}"
            )
        elif parent and category.parent_id is None and category.pk != parent.pk and not category.children.exists():
            category.parent = parent
            category.save(update_fields=["parent"])
        self.remember(Kind.CATEGORY, term.slug, category.pk)
        self.categories[term.slug] = category
        self.category_redirects(old, category, term.term_id)
        return category

    def category_redirects(self, old: str, category: Category, term_id: str = "") -> None:
        self.redirect(old, category.get_absolute_url())
        if term_id:
            self.redirect(f"/?cat={term_id}", category.get_absolute_url())
        self.redirect(old + "feed/", reverse("reader:category_feed_rss", args=[category.slug]))

    def default_category(self) -> Category:
        if self._default_category is None:
            self._default_category = self.categories.get(UNCATEGORIZED[0]) or self.category(
                Term("category", UNCATEGORIZED[0], UNCATEGORIZED[1]), {}
            )
        return self._default_category

    def tag(self, slug: str, name: str) -> Tag:
        decoded = unquote(slug)
        if decoded in self.tags:
            return self.tags[decoded]
        name = clean(name or decoded)[:60]
        tag = Tag.objects.filter(slug=decoded[:80]).first() or Tag.objects.filter(name=name).first()
        if tag is None:
            tag = Tag.objects.create(name=name, slug=unique_slug(Tag, decoded[:80] or "tag", max_length=80))
            self.report.created[("tag", "")] += 1
            self.report.became.append(f"タグ {decoded} → 「{tag.name}」 {tag.get_absolute_url()}")
        self.remember(Kind.TAG, decoded, tag.pk)
        self.tags[decoded] = tag
        self.redirect(f"/tag/{decoded}/", tag.get_absolute_url())
        self.redirect(f"/?tag={decoded}", tag.get_absolute_url())
        self.redirect(f"/tag/{decoded}/feed/", reverse("reader:tag_feed_rss", args=[tag.slug]))
        return tag

    # --- items ----------------------------------------------------------------------------------
    def item(self, item: Item) -> None:
        if item.post_type == "post":
            self.guard(item, lambda: self.post(item), savepoint=False)  # nothing written until the batch is
        elif item.post_type == "page":
            self.guard(item, lambda: self.page(item))
        elif item.post_type == "attachment":
            self.guard(item, lambda: self.attachment(item))
        else:
            self.report.skipped[f"{item.post_type}（記事・固定ページ以外）"] += 1

    def guard(self, item: Item, work: Callable[[], None], *, savepoint: bool = True) -> bool:
        """Do `work` for one item; a bad item stops the import, or under --skip-bad is listed and leaves nothing."""
        try:
            if savepoint:
                with transaction.atomic():
                    work()
            else:
                work()
            return True
        except (ValueError, TypeError) as exc:
            message = f"{item.post_type} {item.wp_id}「{item.title[:40]}」: {exc}"
            if not self.skip_bad:
                raise WxrError(message, item.line) from exc
            self.report.bad.append(f"{item.line} 行目の {message}")
            return False

    def post(self, item: Item) -> None:
        if item.status == "trash":
            self.report.skipped["ゴミ箱の投稿"] += 1
            return
        if item.status not in STATUS:
            self.report.skipped[f"投稿（状態 {item.status or '不明'}）"] += 1
            return
        status = STATUS[item.status]
        if status in (Article.Status.PUBLISHED, Article.Status.SCHEDULED) and not (item.date_gmt or item.date_local):
            raise ValueError("公開日時（wp:post_date）がありません")
        if item.password and status == Article.Status.PUBLISHED:
            status = Article.Status.UNPUBLISHED
        if status == Article.Status.UNPUBLISHED:
            why = "パスワード保護" if item.password else "非公開"
            self.report.not_public.append(f"投稿 {item.wp_id}「{item.title[:40]}」（{why}）")
        self.batch.append((item, status))

    def flush_posts(self) -> None:
        """The waiting posts: unchanged ones only answer their old addresses; the rest are converted and
        written together (articles, tags, bylines, revisions, comments, redirects), a few statements a batch."""
        batch, self.batch, self.batch_ids = self.batch, [], set()
        if not batch:
            return
        rows = self.known_batch(Kind.ARTICLE, [item.wp_id for item, _ in batch])
        articles = Article.objects.in_bulk([r.object_id for r in rows.values()])
        ready = []
        for item, status in batch:
            row = rows.get(item.wp_id)
            post = _Post(item, status, item_digest(item), articles.get(row.object_id) if row else None)
            if post.article is not None and row.digest == post.digest:
                self.report.unchanged[("article", status)] += 1
                self.article_redirects(item, post.article)
            # Its tags or pictures may be new rows: under --skip-bad a savepoint takes them back with a bad post;
            # otherwise a bad post rolls back the whole import anyway.
            elif self.guard(item, lambda post=post: self.prepare(post), savepoint=self.skip_bad):
                ready.append(post)
        self.save_posts(ready)
        self.comments(ready)
        self.write_redirects()

    def prepare(self, post: "_Post") -> None:
        """Convert one post (its tags and writer made if new); written later with its batch."""
        item = post.item
        post.is_new = post.article is None
        post.article = post.article or Article(created_at=item.date_gmt or timezone.now())
        self.fill_article(post.article, item, post.status)
        post.article.derive_fields()  # bulk writes skip save(): derive what it would
        post.tags = list(
            {
                t.pk: t for t in (self.tag(s or n, n) for tax, s, n in item.terms if tax == "post_tag" and (s or n))
            }.values()
        )
        post.writer = self.writers.get(item.creator) or (
            self.writer(Author(login=item.creator)) if item.creator else None
        )

    def save_posts(self, posts: list["_Post"]) -> None:
        if not posts:
            return
        new = [p.article for p in posts if p.is_new]
        old = [p.article for p in posts if not p.is_new]
        now = timezone.now()
        for article in new:
            article.modified_at = now  # auto_now, as save() would
        ids = writing.articles([tuple(getattr(a, f.attname) for f in writing.NEW_ARTICLE) for a in new])
        for article, pk in zip(new, ids, strict=True):
            article.pk = pk
            article._state.adding, article._state.db = False, "default"
        for article in old:
            article.modified_at = now  # auto_now, which bulk_update does not set
        Article.objects.bulk_update(old, writing.ARTICLE_FIELDS, batch_size=BATCH_SIZE)
        Tagged = Article.tags.through
        Tagged.objects.filter(article_id__in=[a.pk for a in old]).delete()
        writing.tag_links([(p.article.pk, t.pk) for p in posts for t in p.tags])
        writers: dict[int, list[int]] = {p.article.pk: [] for p in posts}
        for article_id, writer_id in (
            Byline.objects.filter(article__in=old).order_by("position", "pk").values_list("article_id", "writer_id")
        ):
            writers[article_id].append(writer_id)
        bylines = []
        for p in posts:
            if p.writer and p.writer.pk not in writers[p.article.pk]:
                bylines.append((p.article.pk, p.writer.pk, 0))
                writers[p.article.pk].append(p.writer.pk)
        writing.bylines(bylines)
        writing.revisions(
            [
                (
                    p.article.pk,
                    timezone.now(),
                    None,
                    "WordPress から取り込み" if p.is_new else "WordPress での変更を取り込み",
                    snapshot(p.article, tag_ids=[t.pk for t in p.tags], writer_ids=writers[p.article.pk]),
                )
                for p in posts
            ]
        )
        self.remember_batch(Kind.ARTICLE, [(p.item.wp_id, p.article.pk, p.digest) for p in posts])
        for p in posts:
            self.posted(p)

    def posted(self, post: "_Post") -> None:
        """What follows a written post: its pick, featured image, report line and old addresses."""
        item, article = post.item, post.article
        if item.sticky and not EditorPick.objects.filter(article=article).exists():
            EditorPick.objects.create(article=article)  # WordPress's sticky post: pinned to おすすめニュース
            self.report.became.append(f"固定表示の投稿 {item.wp_id} → おすすめニュース")
        if "[gallery" in item.content:
            self.pending_galleries.append((article.pk, item.wp_id, item.content))
        if thumbnail := item.first_meta("_thumbnail_id"):
            self.pending_leads.setdefault(thumbnail.strip(), []).append(article.pk)
        self.changed_ids.append(article.pk)
        if not post.is_new:
            self.updated_ids.append(article.pk)
        (self.report.created if post.is_new else self.report.updated)[("article", post.status)] += 1
        self.article_redirects(item, article)
        self.report.became.append(f"投稿 {item.wp_id} {item.link} → {self.redirects[f'/?p={item.wp_id}']}")

    def article_redirects(self, item: Item, article: Article) -> None:
        """The post's link, /?p=ID and each old slug where WordPress answered it."""
        new = article.get_absolute_url()
        self.redirect(f"/?p={item.wp_id}", new)
        # Not the guid: it names the post where it was first written, whose ?p= may be another post here.
        if item.link.startswith(("http://", "https://")):
            self.redirect(item.link, new)
        path = key_for_url(item.link) if item.link else ""
        current = unquote(item.slug)
        if self.permalinks and (permalink := self.permalink(item, current)):
            self.redirect(permalink, new)  # the structure the site used, when its links do not show it (/?p=12)
        if article.status == Article.Status.PUBLISHED and (when := item.date_local or item.date_gmt):
            self.date_archive_redirects(when)
        for old_slug in item.meta.get("_wp_old_slug", []):
            old_slug = unquote(old_slug.strip())
            if not old_slug:
                continue
            self.redirect(f"/?name={old_slug}", new)
            if current and path.endswith(f"/{current}/"):
                self.redirect(path[: -len(current) - 1] + old_slug + "/", new)
            if "%postname%" in self.permalinks and (permalink := self.permalink(item, old_slug)):
                self.redirect(permalink, new)

    def date_archive_redirects(self, when) -> None:
        """WordPress's date archives of a published post's day (/2010/, /2010/06/, /2010/06/15/, on the site's
        local date as WordPress made them) answer with the year's and month's archive (a day has no page here)."""
        day = (when.year, when.month, when.day)
        if day in self.dated or when.year not in ARCHIVE_YEARS:
            return
        self.dated.add(day)
        month = reverse("reader:archive_month", args=[when.year, when.month])
        self.redirect(f"/{when:%Y}/", reverse("reader:archive_year", args=[when.year]))
        self.redirect(f"/{when:%Y}/{when:%m}/", month)
        self.redirect(f"/{when:%Y}/{when:%m}/{when:%d}/", month)

    def permalink(self, item: Item, slug: str) -> str:
        """The post's address under --permalinks, as WordPress made it (local post date); "" if it lacks a part."""
        when = item.date_local or item.date_gmt
        categories = [self.category_paths.get(s) for tax, s, _ in item.terms if tax == "category"]
        values = {
            "post_id": item.wp_id,
            "postname": slug,
            "author": item.creator,
            "category": next((c for c in categories if c), "uncategorized"),
        }
        if when:
            values |= {
                "year": f"{when:%Y}",
                "monthnum": f"{when:%m}",
                "day": f"{when:%d}",
                "hour": f"{when:%H}",
                "minute": f"{when:%M}",
                "second": f"{when:%S}",
            }
        path = PERMALINK_TAG.sub(lambda m: values.get(m[1], "\0"), self.permalinks)
        return "" if "\0" in path or "//" in path else path

    def fill_article(self, article: Article, item: Item, status: str) -> None:
        article.headline = clean(item.title)[:200] or "（無題）"
        article.deck = clean(html_to_text(item.excerpt)).replace("\n", " ")[:300]
        article.slug = ascii_slug(item.slug, fallback="")[:120]
        if "[gallery" in item.content:  # its attachments may come later in the file: made in finish()
            article.body = convert(item.content, Counter(), gallery=lambda attrs: "")
        else:
            article.body = self.repoint(convert(item.content, self.report.shortcodes))
        article.status = status
        article.published_at = item.date_gmt or item.date_local
        slugs = [s for tax, s, _ in item.terms if tax == "category"]
        article.category = (
            next((self.categories[s] for s in slugs if s in self.categories), None) or self.default_category()
        )

    def comments(self, posts: list["_Post"]) -> None:
        """The batch's comments: threads first, then their replies (one level deep), each kind in one INSERT."""
        wanted = []  # (post, comment, status, key)
        for post in posts:
            for wp in sorted(post.item.comments, key=lambda c: number(c.wp_id)):
                if status := self.comment_status(wp):
                    wanted.append((post, wp, status, f"{post.item.wp_id}:{wp.wp_id}"))
        rows = self.known_batch(Kind.COMMENT, [key for *_, key in wanted])
        made: dict[str, int] = {}  # key → Kiji comment ID
        threads, replies = [], []
        now = timezone.now()
        for post, wp, status, key in wanted:
            if row := rows.get(key):
                made[key] = row.object_id
                self.report.unchanged[("comment", status)] += 1
                continue
            body = comment_text.clean(html_to_text(wp.content)) or "（本文なし）"
            comment = writing.comments.row(
                article=post.article.pk,
                visitor=self.visitor().pk,
                nickname=comment_text.clean(wp.author, multiline=False)[:100] or "匿名",
                body=body,  # kept whole, past the 300-character rule for new comments
                body_hash=comment_text.body_hash(body),
                status=status,
                held_reason="WordPress で承認待ち" if status == Comment.Status.PENDING else "",
                created_at=wp.date_gmt or now,  # its original time
            )
            top = top_comment(wp.wp_id, {c.wp_id: c.parent for c in post.item.comments})
            (threads if top == wp.wp_id else replies).append((key, f"{post.item.wp_id}:{top}", comment))
            self.report.created[("comment", status)] += 1
        for group in (threads, replies):
            for key, top_key, comment in group:
                comment["parent"] = made.get(top_key) if top_key != key else None
            ids = writing.comments([tuple(comment.values()) for *_, comment in group])
            made.update((key, pk) for (key, *_), pk in zip(group, ids, strict=True))
        self.remember_batch(Kind.COMMENT, [(key, made[key], "") for key, *_ in threads + replies])

    def comment_status(self, wp: WpComment) -> str | None:
        if wp.type in ("pingback", "trackback"):
            self.report.skipped[f"コメント（{wp.type}）"] += 1
            return None
        if wp.approved in ("spam", "trash"):
            self.report.skipped[f"コメント（{wp.approved}）"] += 1
            return None
        return Comment.Status.APPROVED if wp.approved == "1" else Comment.Status.PENDING

    def visitor(self) -> Visitor:
        if self._visitor is None:
            self._visitor, _ = Visitor.objects.get_or_create(key=IMPORT_VISITOR)
        return self._visitor

    def page(self, item: Item) -> None:
        if item.status == "trash":
            self.report.skipped["ゴミ箱の固定ページ"] += 1
            return
        if item.comments:  # Kiji's pages take no comments: counted, never dropped silently
            self.report.skipped["コメント（固定ページへのもの）"] += len(item.comments)
        status = Page.Status.PUBLISHED if item.status == "publish" and not item.password else Page.Status.DRAFT
        if item.status in ("private",) or item.password:
            self.report.not_public.append(f"固定ページ {item.wp_id}「{item.title[:40]}」（非公開）")
        digest = item_digest(item)
        row = self.known(Kind.PAGE, item.wp_id)
        page = Page.objects.filter(pk=row.object_id).first() if row else None
        self.page_links[item.wp_id] = item.link
        if page is not None and row.digest == digest:
            self.pages[item.wp_id] = page
            self.report.unchanged[("page", status)] += 1
            return
        is_new = page is None
        page = page or Page(created_at=item.date_gmt or timezone.now())
        page.title = clean(item.title)[:200] or "（無題）"
        page.body = self.repoint(convert(item.content, self.report.shortcodes))
        page.status = status
        page.position = min(max(item.menu_order, 0), 32767)
        page.in_footer = item.parent in ("", "0")
        if is_new:
            page.slug = unique_page_slug(unquote(item.slug) or f"page-{item.wp_id}")
        page.save()
        self.pages[item.wp_id] = page
        if item.parent not in ("", "0"):
            self.page_parents.append((page, item.parent))
        self.remember(Kind.PAGE, item.wp_id, page.pk, digest)
        (self.report.created if is_new else self.report.updated)[("page", status)] += 1
        self.report.became.append(f"固定ページ {item.wp_id} {item.link} → {page.get_absolute_url()}")


@dataclass
class _Post:
    """A post of the batch being written: its item, Kiji status, digest and article (None until prepared, if new)."""

    item: Item
    status: str
    digest: str
    article: Article | None
    is_new: bool = False
    tags: list[Tag] | None = None
    writer: Writer | None = None


def import_wxr(
    *,
    path: str | Path,
    dry_run: bool = False,
    skip_bad: bool = False,
    create_logins: bool = False,
    media: str | Path | None = None,
    progress: Callable[[int], None] | None = None,
    report: ImportReport | None = None,
    on_committed: Callable[[int], None] | None = None,
    permalinks: str = "",
) -> ImportReport:
    """Import the export at `path` in one transaction (rolled back for a dry run); WxrError changes nothing.

    After the commit, one articles_imported signal (search index, reader lists, page cache) names every
    article added or changed; on_committed(n) is told first, since those listeners take a while."""
    report = report or ImportReport()
    uploads = Uploads(media)
    with large_write_cache(), transaction.atomic():
        run = _Run(
            report,
            skip_bad=skip_bad,
            create_logins=create_logins,
            uploads=uploads,
            dry_run=dry_run,
            permalinks=check_permalinks(permalinks) if permalinks else "",
        )
        for record in read_export(path):
            run.take(record)
            if progress and isinstance(record, Item):
                progress(1)
        run.finish()
        if dry_run:
            transaction.set_rollback(True)
        elif run.changed_ids:
            transaction.on_commit(lambda: _announce(run.changed_ids, run.updated_ids, on_committed))
    uploads.close()
    return report


def _announce(ids: list[int], updated_ids: list[int], on_committed: Callable[[int], None] | None) -> None:
    for pk in updated_ids:  # an article that was there before may have its own page cached
        pagecache.purge_article(pk)
    if on_committed:
        on_committed(len(ids))
    articles_imported.send(sender=Article, article_ids=ids)


_IMG = re.compile(r"<img\b[^>]*>", re.I)
_ATTR = re.compile(r"""\s([\w-]+)\s*=\s*("([^"]*)"|'([^']*)')""")
_HREF = re.compile(r"""\s(href)\s*=\s*("([^"]*)"|'([^']*)')""", re.I)
