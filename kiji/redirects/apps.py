from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class RedirectsConfig(AppConfig):
    name = "kiji.redirects"
    verbose_name = _("Redirects")

    def ready(self):
        from kiji.newsroom.permissions import EDITORS_GROUP
        from kiji.newsroom.roles import EXTRA_ROLE_PERMISSIONS

        # Editors keep the old addresses' redirects (the admin is the newsroom); administrators inherit editors' rights.
        EXTRA_ROLE_PERMISSIONS.setdefault(EDITORS_GROUP, []).extend(
            f"redirects.{action}_redirect" for action in ("add", "change", "delete", "view")
        )
