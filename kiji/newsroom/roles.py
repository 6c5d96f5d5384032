"""The newsroom's roles as Django groups: writers, editors, administrators."""

from django.contrib.auth.models import Group, Permission

from kiji.newsroom.permissions import ADMINISTRATORS_GROUP, EDITORS_GROUP, WRITERS_GROUP

_NEWSROOM_MODELS = ["article", "byline", "correction", "category", "tag", "writer", "image", "revision"]

ROLE_PERMISSIONS = {
    WRITERS_GROUP: [
        "newsroom.add_article",
        "newsroom.change_article",
        "newsroom.view_article",
        "newsroom.add_byline",
        "newsroom.change_byline",
        "newsroom.delete_byline",
        "newsroom.view_byline",
        "newsroom.view_category",
        "newsroom.view_writer",
        "newsroom.view_revision",
        "newsroom.add_tag",
        "newsroom.view_tag",
        "newsroom.add_image",
        "newsroom.change_image",
        "newsroom.view_image",
    ],
    EDITORS_GROUP: [
        f"newsroom.{action}_{model}" for model in _NEWSROOM_MODELS for action in ("add", "change", "delete", "view")
    ]
    + ["newsroom.publish_article", "newsroom.edit_any_article"],
    ADMINISTRATORS_GROUP: [
        f"auth.{action}_{model}" for model in ("user", "group") for action in ("add", "change", "delete", "view")
    ],
}

# Other apps add their own permissions to a role here (e.g. comments moderation for editors).
EXTRA_ROLE_PERMISSIONS: dict[str, list[str]] = {}


def ensure_roles() -> None:
    """Create the groups and give them their permissions; safe to run any number of times."""
    for name, perms in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.get_or_create(name=name)
        wanted = perms + EXTRA_ROLE_PERMISSIONS.get(name, [])
        if name == ADMINISTRATORS_GROUP:
            wanted = wanted + ROLE_PERMISSIONS[EDITORS_GROUP]
        found = []
        for perm in wanted:
            app_label, codename = perm.split(".")
            found += list(Permission.objects.filter(content_type__app_label=app_label, codename=codename))
        group.permissions.add(*found)
