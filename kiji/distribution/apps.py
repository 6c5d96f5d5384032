from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

# Writers keep their own articles from a partner (the inline checks they may edit the article);
# editors and administrators also configure the partners.
OPT_OUT_PERMISSIONS = ["distribution.view_optout", "distribution.add_optout", "distribution.delete_optout"]
PARTNER_PERMISSIONS = [
    "distribution.view_partner",
    "distribution.add_partner",
    "distribution.change_partner",
    "distribution.delete_partner",
]


class DistributionConfig(AppConfig):
    name = "kiji.distribution"
    verbose_name = _("Distribution")

    def ready(self):
        from django.db.models.signals import post_migrate

        from kiji.distribution import receivers  # noqa: F401 (connects the receivers)
        from kiji.newsroom.permissions import ADMINISTRATORS_GROUP, EDITORS_GROUP, WRITERS_GROUP
        from kiji.newsroom.roles import EXTRA_ROLE_PERMISSIONS

        wanted = {
            WRITERS_GROUP: OPT_OUT_PERMISSIONS,
            EDITORS_GROUP: OPT_OUT_PERMISSIONS + PARTNER_PERMISSIONS,
            ADMINISTRATORS_GROUP: OPT_OUT_PERMISSIONS + PARTNER_PERMISSIONS,
        }
        for group, perms in wanted.items():
            extra = EXTRA_ROLE_PERMISSIONS.setdefault(group, [])
            extra += [p for p in perms if p not in extra]
        # Our permissions exist only after our own migrations: give the roles them then as well.
        post_migrate.connect(_ensure_roles, sender=self)


def _ensure_roles(**kwargs):
    from kiji.newsroom.roles import ensure_roles

    ensure_roles()
