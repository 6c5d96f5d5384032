"""Posting the real admin article form, as a browser would."""

from django.urls import reverse
from django.utils import timezone

from kiji.newsroom.models import Article
from kiji.newsroom.services.editing import current_version
from kiji.testing import NewsroomTestCase


def _split(when) -> tuple[str, str]:
    if when is None:
        return "", ""
    local = timezone.localtime(when)
    return local.strftime("%Y-%m-%d"), local.strftime("%H:%M:%S")


class AdminTestCase(NewsroomTestCase):
    add_url = reverse("admin:newsroom_article_add")
    changelist_url = reverse("admin:newsroom_article_changelist")

    @staticmethod
    def change_url(article: Article) -> str:
        return reverse("admin:newsroom_article_change", args=[article.pk])

    def form_data(self, article: Article | None = None, *, writers=None, **fields) -> dict:
        """The change form's POST data for `article` (or a new one), with `fields` changed."""
        values = {
            "headline": "新しい記事",
            "deck": "",
            "slug": "",
            "body": "<p>本文</p>",
            "status": "draft",
            "published_at": None,
            "updated_at": None,
            "category": self.politics.pk,
            "source_url": "",
            "source_credit": "",
            "lead_image": "",
        }
        if article is not None:
            values.update(
                {
                    name: getattr(article, name)
                    for name in (
                        "headline",
                        "deck",
                        "slug",
                        "body",
                        "status",
                        "published_at",
                        "updated_at",
                        "source_url",
                        "source_credit",
                    )
                }
            )
            values["category"] = article.category_id
            values["lead_image"] = article.lead_image_id or ""
            values["kiji_version"] = current_version(article)  # the version the form was opened on
        values.update(fields)
        data = {k: v for k, v in values.items() if k not in ("published_at", "updated_at")}
        for name in ("published_at", "updated_at"):
            data[f"{name}_0"], data[f"{name}_1"] = _split(values[name])
        data["tags"] = [t.pk for t in article.tags.all()] if article is not None else []
        bylines = list(article.byline_set.all()) if article is not None else []
        data.update(
            _formset(
                "byline_set",
                [{"id": b.pk, "writer": b.writer_id, "position": b.position, "article": article.pk} for b in bylines],
                extra=[{"writer": w.pk, "position": i} for i, w in enumerate(writers or [])],
            )
        )
        corrections = list(article.corrections.all()) if article is not None else []
        data.update(
            _formset(
                "corrections",
                [
                    {
                        "id": c.pk,
                        "text": c.text,
                        "article": article.pk,
                        "created_at_0": _split(c.created_at)[0],
                        "created_at_1": _split(c.created_at)[1],
                    }
                    for c in corrections
                ],
            )
        )
        # 配信しない (kiji.distribution's inline on the same form): the partners kept from this article
        opt_outs = list(article.partner_opt_outs.all()) if article is not None else []
        data.update(
            _formset(
                "partner_opt_outs",
                [{"id": o.pk, "partner": o.partner_id, "article": article.pk} for o in opt_outs],
            )
        )
        return data


def _formset(prefix: str, rows: list[dict], extra: list[dict] = ()) -> dict:
    data = {
        f"{prefix}-TOTAL_FORMS": len(rows) + len(extra),
        f"{prefix}-INITIAL_FORMS": len(rows),
        f"{prefix}-MIN_NUM_FORMS": 0,
        f"{prefix}-MAX_NUM_FORMS": 1000,
    }
    for i, row in enumerate([*rows, *extra]):
        data.update({f"{prefix}-{i}-{k}": v for k, v in row.items()})
    return data
