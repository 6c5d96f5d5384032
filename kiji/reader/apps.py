from django.apps import AppConfig


class ReaderConfig(AppConfig):
    name = "kiji.reader"
    verbose_name = "読者サイト"

    def ready(self):
        from kiji.reader import (
            cache,  # noqa: F401  (purges cached pages when articles change)
            menu,  # noqa: F401  (connects the menu cache invalidation)
        )
