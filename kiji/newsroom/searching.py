"""Admin search over more than the article's own columns: other apps add their finders here (kiji.search
adds its index of published articles, bodies included), as they add permissions to roles in roles.py."""

from collections.abc import Callable

# Each takes what was typed in the admin's search box and returns matching article ids.
ARTICLE_FINDERS: list[Callable[[str], list[int]]] = []


def found_article_ids(text: str) -> set[int]:
    return {pk for find in ARTICLE_FINDERS for pk in find(text)}
