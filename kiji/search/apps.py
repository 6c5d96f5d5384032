from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SearchConfig(AppConfig):
    name = "kiji.search"
    verbose_name = _("Search")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from kiji.newsroom import searching
        from kiji.search import receivers  # noqa: F401  (connects the newsroom signals)
        from kiji.search.results import admin_article_ids

        if admin_article_ids not in searching.ARTICLE_FINDERS:
            searching.ARTICLE_FINDERS.append(admin_article_ids)  # the newsroom's admin search reads the index
