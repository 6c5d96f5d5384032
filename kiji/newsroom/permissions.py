"""Who may do what in the newsroom. Enforced server-side by the services and the admin."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from kiji.newsroom.models import Article, Image, Writer

WRITERS_GROUP = "記者"
EDITORS_GROUP = "編集者"
ADMINISTRATORS_GROUP = "管理者"

WRITER_STATUSES = {Article.Status.DRAFT, Article.Status.REVIEW}


def is_editor(user) -> bool:
    return user.is_active and (user.is_superuser or user.has_perm("newsroom.publish_article"))


def is_administrator(user) -> bool:
    return user.is_active and (user.is_superuser or user.groups.filter(name=ADMINISTRATORS_GROUP).exists())


def owns(user, article: Article) -> bool:
    """The article is the user's own (ArticleQuerySet.owned_by); a new, unsaved one is."""
    return article.pk is None or Article.objects.owned_by(user).filter(pk=article.pk).exists()


def can_view(user, article: Article) -> bool:
    """The one rule of ArticleQuerySet.visible_to, asked of one article (what the admin's list shows)."""
    return Article.objects.visible_to(user).filter(pk=article.pk).exists()


def can_edit(user, article: Article) -> bool:
    """Editors edit anything; writers edit their own articles while they are drafts or in review."""
    if not user.is_active or not user.has_perm("newsroom.change_article"):
        return False
    if is_editor(user) or user.has_perm("newsroom.edit_any_article"):
        return True
    return owns(user, article) and article.status in WRITER_STATUSES


def ensure_can_edit(user, article: Article) -> None:
    if not can_edit(user, article):
        raise PermissionDenied(_("You may only edit your own drafts and articles in review."))


def ensure_can_publish(user) -> None:
    if not is_editor(user):
        raise PermissionDenied(_("Only editors may publish, schedule or unpublish articles."))


def ensure_status_allowed(user, status: str) -> None:
    if status not in WRITER_STATUSES and not is_editor(user):
        raise PermissionDenied(_("Only editors may publish, schedule or unpublish articles."))


def image_is_public(image: Image) -> bool:
    """Readers see (or soon will) this picture: the lead image of an article past review, or a writer's photo."""
    past_review = Article.objects.filter(lead_image=image).exclude(status__in=WRITER_STATUSES)
    return past_review.exists() or Writer.objects.filter(photo=image).exists()


def can_change_image(user, image: Image) -> bool:
    """Editors change any picture; a writer only one they uploaded that no reader sees yet."""
    if not user.is_active or not user.has_perm("newsroom.change_image"):
        return False
    if is_editor(user):
        return True
    return image.uploaded_by_id == user.pk and not image_is_public(image)
