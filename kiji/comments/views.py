"""Comment endpoints. None is cached; none of what they know about a visitor reaches the article page.

How CSRF works with a cached article page: the article page's form carries an EMPTY
csrfmiddlewaretoken input and a signed "form shown at" stamp, the same for every reader.
static/js/comments.js fetches /comments/token/ (uncached: it sets the csrftoken and visitor
cookies and answers {"csrf", "started"}) when the reader first touches a comment form, and fills
the inputs. Without JavaScript the post arrives without a token; these views are csrf_exempt only
so that they can run Django's own CSRF check themselves (`_csrf_passed`) and, on failure, show the
uncached comment page with the reader's text intact, a fresh token and a Japanese explanation,
instead of a bare 403. Nothing is written unless the check passes.
"""

import uuid

from django.core.exceptions import ObjectDoesNotExist
from django.http import Http404, JsonResponse
from django.middleware.csrf import CsrfViewMiddleware, get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from kiji.comments import services, text
from kiji.comments.display import section_context
from kiji.comments.forms import FORM_MAX, CommentForm, started_stamp
from kiji.comments.models import Comment, Report
from kiji.lib.clientip import client_ip
from kiji.newsroom.models import Article

VISITOR_COOKIE = "kiji_visitor"
VISITOR_SALT = "kiji.comments.visitor"
VISITOR_MAX_AGE = 2 * 365 * 86400
CSRF_FAILED = "送信を確認できませんでした（ページを開き直したか、時間が経ったためです）。内容をご確認のうえ、もう一度送信してください。"
NOTICES = {
    "liked": "共感しました。",
    "liked-before": "このコメントにはすでに共感しています。",
    "reported": "通報を受け付けました。担当者が確認します。",
    "reported-before": "このコメントはすでに通報済みです。",
    "retry": "確認のため、もう一度押してください。",
}
NO_VISITOR = "確認のため、もう一度送信してください（入力した内容はそのまま残っています）。"


def _visitor_key(request) -> str | None:
    return request.get_signed_cookie(VISITOR_COOKIE, default=None, salt=VISITOR_SALT)


def _with_visitor_cookie(request, response):
    """Give the visitor a signed id (only on these uncached endpoints, never on the article page)."""
    key = getattr(request, "_comment_visitor_key", None) or _visitor_key(request)
    if not key:
        key = uuid.uuid4().hex
    if key != _visitor_key(request):
        response.set_signed_cookie(
            VISITOR_COOKIE,
            key,
            salt=VISITOR_SALT,
            max_age=VISITOR_MAX_AGE,
            httponly=True,
            samesite="Lax",
            secure=request.is_secure(),
        )
    return response


def _client_ip(request) -> str:
    return client_ip(request.META)


def _visitor(request):
    """The visitor of a signed cookie, or None: a post without one is answered with a cookie and a request
    to send again, so a client that drops its cookie creates no visitor and likes or reports nothing."""
    key = _visitor_key(request)
    if not key:
        request._comment_visitor_key = uuid.uuid4().hex
        return None
    return services.get_visitor(key=key, ip_hash=services.hash_ip(_client_ip(request)))


def _csrf_passed(request) -> bool:
    def checked_view(request):  # a stand-in that is not csrf_exempt, so the middleware checks
        pass

    return CsrfViewMiddleware(lambda r: None).process_view(request, checked_view, (), {}) is None


def _comment_id(value: str | None) -> int | None:
    return int(value) if value and value.isdigit() and len(value) < 19 else None


def _published_article(pk: int) -> Article:
    return get_object_or_404(Article.objects.published().select_related("category", "comment_section"), pk=pk)


def _render_page(
    request,
    article: Article,
    *,
    form_data: dict | None = None,
    error: str = "",
    notice: str = "",
    mine: Comment | None = None,
    status: int = 200,
):
    c = section_context(article, sort=request.GET.get("sort", "newest"), page=request.GET.get("page", 1))
    context = {
        "article": article,
        "c": c,
        "form_data": form_data or {},
        "error": error,
        "notice": notice,
        "mine": mine,
        "comment_csrf": get_token(request),
        "on_comment_page": True,
    }
    reply_to = (form_data or {}).get("reply_to") or _comment_id(request.GET.get("reply"))
    if reply_to and (target := services.reply_target(article, reply_to)):
        context["reply_to"] = target  # the form says whom it answers, and keeps saying so after a refusal
    if form_data and form_data.get("body"):
        context["remaining"] = c["max_length"] - text.length(text.clean(form_data["body"][:FORM_MAX]))
    response = render(request, "comments/page.html", context, status=status)
    return _with_visitor_cookie(request, response)


@never_cache
@csrf_exempt
@require_http_methods(["GET", "HEAD", "POST"])
def comment_page(request, pk):
    """All comments of an article, sortable and paginated, with the form; the form posts here."""
    article = _published_article(pk)
    if request.method != "POST":
        return _render_page(request, article, **_posted_notice(request, article))
    data = {
        "body": text.scrub(request.POST.get("body", "")),
        "nickname": text.scrub(request.POST.get("nickname", "")),
        "reply_to": _comment_id(request.POST.get("reply_to")),
    }
    if not _csrf_passed(request):
        return _render_page(request, article, form_data=data, error=CSRF_FAILED, status=403)
    form = CommentForm({**request.POST.dict(), **data})
    if not form.is_valid():
        return _render_page(request, article, form_data=data, error=form.error_message(), status=400)
    try:
        if (visitor := _visitor(request)) is None:
            return _render_page(request, article, form_data=data, error=NO_VISITOR, status=403)
        comment = services.post_comment(
            article=article,
            visitor=visitor,
            body=data["body"],
            nickname=data["nickname"],
            ip_hash=services.hash_ip(_client_ip(request)),
            reply_to=data["reply_to"],
        )
    except services.CommentRejected as rejected:
        return _render_page(request, article, form_data=data, error=rejected.message, status=rejected.status)
    url = reverse("comments:page", args=[article.pk]) + f"?posted={comment.pk}#posted"
    return _with_visitor_cookie(request, redirect(url))


def _posted_notice(request, article: Article) -> dict:
    """After Post/Redirect/Get: the poster's own comment and whether it is shown or awaits moderation."""
    posted = request.GET.get("posted", "")
    if notice := NOTICES.get(request.GET.get("notice", "")):
        return {"notice": notice}
    if not (posted.isascii() and posted.isdigit()) or not (key := _visitor_key(request)):  # "²" is a digit too
        return {}
    mine = Comment.objects.filter(pk=posted, article=article, visitor__key=key).first()
    if not mine:
        return {}
    if mine.status == Comment.Status.APPROVED:
        return {"notice": "コメントを投稿しました。", "mine": mine}
    if mine.status == Comment.Status.PENDING:
        return {"notice": "コメントを受け付けました。担当者の確認後に掲載されます。", "mine": mine}
    return {}


def _comment_for_action(pk: int) -> Comment:
    try:
        return Comment.objects.visible().select_related("article").get(pk=pk, article__in=Article.objects.published())
    except ObjectDoesNotExist:
        raise Http404("コメントが見つかりません") from None


def _after_action(request, comment: Comment, notice: str, payload: dict, status: int = 200):
    if "application/json" in request.headers.get("Accept", ""):
        response = JsonResponse({"notice": NOTICES[notice], **payload}, status=status)
        return _with_visitor_cookie(request, response)
    url = reverse("comments:page", args=[comment.article_id]) + f"?notice={notice}#c{comment.pk}"
    return _with_visitor_cookie(request, redirect(url))


@never_cache
@csrf_exempt
@require_POST
def like(request, pk):
    """共感. Not purged from the cached article page (a purge per click would defeat the cache): the
    count there catches up at the next purge or page-cache expiry; the comment page is always live."""
    comment = _comment_for_action(pk)
    if not _csrf_passed(request):
        return _render_page(request, comment.article, error=CSRF_FAILED, status=403)
    ip_hash = services.hash_ip(_client_ip(request))
    try:
        if (visitor := _visitor(request)) is None:
            return _after_action(request, comment, "retry", {}, status=403)
        counted = services.like_comment(comment=comment, visitor=visitor, ip_hash=ip_hash)
    except services.CommentRejected as rejected:
        return _render_page(request, comment.article, error=rejected.message, status=rejected.status)
    likes = Comment.objects.values_list("like_count", flat=True).get(pk=comment.pk)
    return _after_action(request, comment, "liked" if counted else "liked-before", {"likes": likes})


@never_cache
@csrf_exempt
@require_POST
def report(request, pk):
    comment = _comment_for_action(pk)
    if not _csrf_passed(request):
        return _render_page(request, comment.article, error=CSRF_FAILED, status=403)
    reason = request.POST.get("reason", "")
    if reason not in Report.Reason.values:
        return _render_page(request, comment.article, error="通報の理由を選んでください。", status=400)
    ip_hash = services.hash_ip(_client_ip(request))
    try:
        if (visitor := _visitor(request)) is None:
            return _after_action(request, comment, "retry", {}, status=403)
        counted = services.report_comment(comment=comment, visitor=visitor, reason=reason, ip_hash=ip_hash)
    except services.CommentRejected as rejected:
        return _render_page(request, comment.article, error=rejected.message, status=rejected.status)
    return _after_action(request, comment, "reported" if counted else "reported-before", {})


@never_cache
@require_GET
def token(request):
    """Uncached: sets the csrftoken and visitor cookies; JSON with the token and a fresh form stamp."""
    response = JsonResponse({"csrf": get_token(request), "started": started_stamp()})
    return _with_visitor_cookie(request, response)
