"""Small querysets compiled to SQL once and run again with another id (hot read paths only).

Django compiles a queryset's SQL anew on every evaluation: ~0.15 ms for a two-table query, several
times what SQLite or PostgreSQL then spends running it (the article itself, with its category and
lead image, took 0.5 ms). The article page runs a few such queries per render (the article, bylines,
tags, corrections), always the same shape, only the article id changes.
"""

from django.db import connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators


class Prepared:
    """build(pk) returns the queryset for one id; calling the Prepared runs it for a given id.

    The SQL comes from the ORM (so it follows the models), compiled once per database alias with a
    stand-in id that is then swapped for the real one in the parameters.
    """

    _STAND_IN = -7_402_113_917

    def __init__(self, build):
        self._build = build
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        queryset: QuerySet = self._build(self._STAND_IN)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills compiler.select and klass_info, as ModelIterable reads them
        if self._STAND_IN not in params:
            raise ValueError("the queryset does not depend on the id it was built with")
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        init_list = [column[0].target.attname for column in select[columns]]
        populators = get_related_populators(klass_info, select, using)  # select_related objects
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        return queryset.model, compiler, sql, tuple(params), columns, init_list, populators, converters

    def __call__(self, pk: int, using: str = "default") -> list:
        """The objects, as the queryset would build them (select_related included, annotations not)."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        model, compiler, sql, params, columns, init_list, populators, converters = compiled
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [pk if p == self._STAND_IN else p for p in params])
            rows = cursor.fetchall()
        objects = []
        for row in compiler.apply_converters(rows, converters) if converters else rows:
            obj = model.from_db(using, init_list, row[columns])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects
