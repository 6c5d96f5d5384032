from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AudienceConfig(AppConfig):
    name = "kiji.audience"
    verbose_name = _("Audience")

    def ready(self):
        from kiji.audience import receivers  # noqa: F401  (listens to newsroom signals)
        from kiji.newsroom.permissions import EDITORS_GROUP
        from kiji.newsroom.roles import EXTRA_ROLE_PERMISSIONS

        EXTRA_ROLE_PERMISSIONS.setdefault(EDITORS_GROUP, []).extend(
            [
                "audience.view_articleviewhour",
                "audience.add_editorpick",
                "audience.change_editorpick",
                "audience.delete_editorpick",
                "audience.view_editorpick",
            ]
        )
