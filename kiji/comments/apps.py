from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

MODERATORS_GROUP = "コメント担当"  # moderators who are not editors: comments only, no articles
MODERATION_PERMISSIONS = [
    "comments.view_comment",
    "comments.change_comment",
    "comments.moderate_comment",
    "comments.view_commentsection",
    "comments.change_commentsection",
    "comments.add_ngword",
    "comments.change_ngword",
    "comments.delete_ngword",
    "comments.view_ngword",
    "comments.view_moderationaction",
    "comments.view_visitor",
    "comments.change_visitor",
]


class CommentsConfig(AppConfig):
    name = "kiji.comments"
    verbose_name = _("Comments")

    def ready(self):
        from django.db.models.signals import post_migrate

        from kiji.comments.counters import counter_backend
        from kiji.lib import ratelimit
        from kiji.newsroom.permissions import ADMINISTRATORS_GROUP, EDITORS_GROUP
        from kiji.newsroom.roles import EXTRA_ROLE_PERMISSIONS

        for group in (EDITORS_GROUP, ADMINISTRATORS_GROUP):
            extra = EXTRA_ROLE_PERMISSIONS.setdefault(group, [])
            extra += [p for p in MODERATION_PERMISSIONS if p not in extra]
        # Our permissions exist only after our own migrations: give the roles them then as well.
        post_migrate.connect(_ensure_roles, sender=self)
        # The API's and the admin login's limits count where the comments' do: shared by every worker.
        ratelimit.share(counter_backend)


def _ensure_roles(**kwargs):
    from kiji.newsroom.roles import ensure_roles

    ensure_roles()
    ensure_moderators_group()


def ensure_moderators_group() -> None:
    """The comment moderators' group with the moderation permissions; safe to run any number of times."""
    from django.contrib.auth.models import Group, Permission

    group, _ = Group.objects.get_or_create(name=MODERATORS_GROUP)
    for perm in MODERATION_PERMISSIONS + ["newsroom.view_article"]:
        app_label, codename = perm.split(".")
        group.permissions.add(*Permission.objects.filter(content_type__app_label=app_label, codename=codename))
