"""The main menu's categories, read once and kept until a category changes."""

from django.core.cache import cache
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from kiji.newsroom.models import Category

_KEY = "reader:menu:v1"


def menu_categories() -> list[Category]:
    categories = cache.get(_KEY)
    if categories is None:
        categories = list(Category.objects.filter(in_menu=True))
        cache.set(_KEY, categories, 300)
    return categories


@receiver([post_save, post_delete], sender=Category)
def _forget_menu(**kwargs):
    cache.delete(_KEY)
