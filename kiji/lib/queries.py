"""Queries compiled to SQL once and run again: small reads by id (hot read paths), plain bulk inserts.

Django compiles a queryset's SQL anew on every evaluation: ~0.15 ms for a two-table query, several
times what SQLite or PostgreSQL then spends running it (the article itself, with its category and
lead image, took 0.5 ms). The article page runs a few such queries per render (the article, bylines,
tags, corrections), always the same shape, only the article id changes.
"""

from django.db import connections
from django.db.models import QuerySet
from django.db.models.constants import OnConflict
from django.db.models.query import get_related_populators
from django.db.models.sql import InsertQuery


class Prepared:
    """build(pk) returns the queryset for one id; calling the Prepared runs it for a given id.

    The SQL comes from the ORM (so it follows the models), compiled once per database alias with a
    stand-in id that is then swapped for the real one in the parameters.
    """

    _STAND_IN = -7_402_113_917

    def __init__(self, build):
        self._build = build
        self._compiled: dict[str, tuple] = {}

    @classmethod
    def _sql(cls, build, using: str) -> tuple:
        """build(stand-in id)'s queryset, compiled: (queryset, compiler, sql, params)."""
        queryset: QuerySet = build(cls._STAND_IN)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()  # also fills compiler.select and klass_info, as ModelIterable reads them
        if cls._STAND_IN not in params:
            raise ValueError("the queryset does not depend on the id it was built with")
        return queryset, compiler, sql, tuple(params)

    @classmethod
    def _run(cls, using: str, sql: str, params: tuple, pk: int) -> list:
        with connections[using].cursor() as cursor:
            cursor.execute(sql, [pk if p == cls._STAND_IN else p for p in params])
            return cursor.fetchall()

    def _compile(self, using: str) -> tuple:
        queryset, compiler, sql, params = self._sql(self._build, using)
        select, klass_info = compiler.select, compiler.klass_info
        fields = klass_info["select_fields"]
        columns = slice(fields[0], fields[-1] + 1)
        init_list = [column[0].target.attname for column in select[columns]]
        populators = get_related_populators(klass_info, select, using)  # select_related objects
        converters = compiler.get_converters([column[0] for column in select[: compiler.col_count]])
        return queryset.model, compiler, sql, params, columns, init_list, populators, converters

    def __call__(self, pk: int, using: str = "default") -> list:
        """The objects, as the queryset would build them (select_related included, annotations not)."""
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        model, compiler, sql, params, columns, init_list, populators, converters = compiled
        rows = self._run(using, sql, params, pk)
        objects = []
        for row in compiler.apply_converters(rows, converters) if converters else rows:
            obj = model.from_db(using, init_list, row[columns])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects


class PreparedValue:
    """build(pk) returns a queryset of one value (values_list of an aggregate); calling it returns that
    value for a given id, or `default` when there is no row: the SQL compiled once, as for Prepared."""

    def __init__(self, build, default=None):
        self._build = build
        self._default = default
        self._compiled: dict[str, tuple] = {}

    def _compile(self, using: str) -> tuple:
        _, compiler, sql, params = Prepared._sql(self._build, using)
        converters = compiler.get_converters([column[0] for column in compiler.select[: compiler.col_count]])
        return compiler, sql, params, converters

    def __call__(self, pk: int, using: str = "default"):
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        compiler, sql, params, converters = compiled
        rows = Prepared._run(using, sql, params, pk)
        if converters:
            rows = list(compiler.apply_converters(rows, converters))
        value = rows[0][0] if rows else None
        return self._default if value is None else value


# Fields whose Python value is already what the database driver takes (str, int, bool, None).
_PLAIN = {
    "AutoField",
    "BigAutoField",
    "BigIntegerField",
    "BooleanField",
    "CharField",
    "ForeignKey",
    "IntegerField",
    "PositiveBigIntegerField",
    "PositiveIntegerField",
    "PositiveSmallIntegerField",
    "SlugField",
    "SmallIntegerField",
    "TextField",
}


class Insert:
    """Plain rows into one model's table: the INSERT compiled once per database, sent with executemany.

    For a bulk import's simple rows (links, redirects, bookkeeping): bulk_create builds a model instance
    and compiles every value of every row (~0.2 ms a row), several times what the database spends. The
    SQL comes from the ORM all the same (one stand-in row), so it follows the models; values pass
    through the field's get_db_prep_save unless they are already plain (text, numbers). With `upsert_on`
    a row whose unique fields exist updates `update` instead (INSERT … ON CONFLICT, SQLite and PostgreSQL).
    No save() or signal runs: the caller gives every value, auto_now ones too. With `returning` the rows go
    as multi-row VALUES … RETURNING (as bulk_create sends them) and the call returns their new ids in order.
    """

    def __init__(
        self,
        model,
        fields: list[str],
        *,
        upsert_on: list[str] | None = None,
        update: list[str] = (),
        returning: bool = False,
    ):
        self.model = model
        self.returning = returning
        self.fields = [model._meta.get_field(name) for name in fields]
        self._names = set(fields)
        self.upsert_on = [model._meta.get_field(name) for name in upsert_on or []]
        self.update = [model._meta.get_field(name) for name in update]
        self._compiled: dict[str, tuple] = {}

    def row(self, **values) -> dict:
        """The values of one row in the INSERT's order, each field not given at its model default."""
        if unknown := set(values) - self._names:
            raise TypeError(f"{self.model.__name__}: {', '.join(sorted(unknown))} not among the INSERT's fields")
        return {f.name: values[f.name] if f.name in values else f.get_default() for f in self.fields}

    def _compile(self, using: str) -> tuple:
        query = InsertQuery(
            self.model,
            on_conflict=OnConflict.UPDATE if self.upsert_on else None,
            update_fields=self.update,
            unique_fields=self.upsert_on,
        )
        query.insert_values(self.fields, [self.model()])
        compiler = query.get_compiler(using=using)
        if self.returning:
            if not compiler.connection.features.can_return_rows_from_bulk_insert:  # SQLite < 3.35
                raise NotImplementedError(f"{compiler.connection.vendor} cannot return ids from a multi-row INSERT")
            compiler.returning_fields = [self.model._meta.pk]
        [(sql, _)] = compiler.as_sql()
        return sql, [None if f.get_internal_type() in _PLAIN else f for f in self.fields]

    def __call__(self, rows: list[tuple], using: str = "default") -> list | None:
        if not rows:
            return [] if self.returning else None
        compiled = self._compiled.get(using)
        if compiled is None:
            compiled = self._compiled[using] = self._compile(using)
        sql, converting = compiled
        connection = connections[using]
        if any(converting):
            rows = self._convert(connection, converting, rows)
        if self.returning:
            return self._returning(connection, sql, rows)
        with connection.cursor() as cursor:
            cursor.executemany(sql, rows)
        return None

    @staticmethod
    def _convert(connection, converting: list, rows: list[tuple]) -> list[list]:
        """The values that are not plain, through their field; an equal value (one `now` a batch) once."""
        columns = [(i, f) for i, f in enumerate(converting) if f is not None]
        done: dict = {}
        out = []
        for row in rows:
            row = list(row)
            for i, field in columns:
                value = row[i]
                try:
                    row[i] = done[i, value]  # (not the field: its hash is Python code)
                except KeyError:
                    row[i] = done[i, value] = field.get_db_prep_save(value, connection)
                except TypeError:  # not hashable (a JSON value)
                    row[i] = field.get_db_prep_save(value, connection)
            out.append(row)
        return out

    def _returning(self, connection, sql: str, rows: list[tuple]) -> list:
        row = "(" + ", ".join(["%s"] * len(self.fields)) + ")"
        if sql.count(row) != 1:
            raise ValueError(f"unexpected INSERT for {self.model.__name__}: {sql}")
        size = max(connection.ops.bulk_batch_size(self.fields, rows), 1)
        ids, statements = [], {}
        with connection.cursor() as cursor:
            for start in range(0, len(rows), size):
                chunk = rows[start : start + size]
                if len(chunk) not in statements:
                    statements[len(chunk)] = sql.replace(row, ", ".join([row] * len(chunk)))
                cursor.execute(statements[len(chunk)], [v for r in chunk for v in r])
                ids += [r[0] for r in cursor.fetchall()]
        if len(ids) != len(rows):
            raise ValueError(f"{len(rows)} rows inserted into {self.model._meta.db_table}, {len(ids)} ids returned")
        return ids
