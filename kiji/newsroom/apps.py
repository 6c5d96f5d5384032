from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class NewsroomConfig(AppConfig):
    name = "kiji.newsroom"
    verbose_name = _("Newsroom")

    def ready(self):
        from django.db.models.signals import post_migrate

        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(**kwargs):
    from kiji.newsroom.roles import ensure_roles

    ensure_roles()
