from django.apps import AppConfig
from django.contrib.admin import apps as admin_apps
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


class NewsroomAdminConfig(admin_apps.AdminConfig):
    """django.contrib.admin, with kiji.newsroom.sites.NewsroomAdminSite (the desk on its home page) as admin.site."""

    default = False  # kiji.newsroom's own config stays NewsroomConfig
    default_site = "kiji.newsroom.sites.NewsroomAdminSite"
