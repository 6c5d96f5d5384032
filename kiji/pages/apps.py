from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class PagesConfig(AppConfig):
    name = "kiji.pages"
    verbose_name = _("Pages")

    def ready(self):
        from kiji.newsroom.permissions import EDITORS_GROUP
        from kiji.newsroom.roles import EXTRA_ROLE_PERMISSIONS

        # Editors keep the site's standing pages (the admin is the newsroom); administrators inherit editors' rights.
        EXTRA_ROLE_PERMISSIONS.setdefault(EDITORS_GROUP, []).extend(
            f"pages.{action}_page" for action in ("add", "change", "delete", "view")
        )
