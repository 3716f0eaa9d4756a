"""Querysets compiled once and then only executed, for the live auction's hot path.

A bid in a busy auction runs the same few queries hundreds of times a second; turning a
queryset into SQL (joins, hundreds of quoted column names) costs more CPU than PostgreSQL
spends answering it. A `CompiledQuery` asks the ORM for the SQL once per process and
database, with sentinel values where the parameters go, and afterwards executes that SQL
with the real values and builds the same model instances the queryset would (its
`select_related` objects included, the database's converters applied): the queryset stays
the single description of the query.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db import DEFAULT_DB_ALIAS, connections
from django.db.models import QuerySet
from django.db.models.query import get_related_populators
from django.db.transaction import TransactionManagementError


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: tuple[str, ...]  # the parameter name of each placeholder, in the SQL's order
    compiler: object
    converters: dict
    for_update: bool


class CompiledQuery:
    """`build(**sentinels)` returns the queryset; `sentinels` are values of the parameters'
    types that no real call uses (negative ids, say), so each one is found in the compiled
    parameters and replaced by the real value on each call."""

    def __init__(self, build: Callable[..., QuerySet], **sentinels):
        self.build = build
        self.sentinels = sentinels
        self._by_alias: dict[str, _Compiled] = {}

    def _compile(self, alias: str) -> _Compiled:
        compiled = self._by_alias.get(alias)
        if compiled is None:
            queryset = self.build(**self.sentinels)
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            by_value = {value: name for name, value in self.sentinels.items()}
            if any(param not in by_value for param in params):  # pragma: no cover
                raise ValueError(f"a parameter of {sql!r} is not a sentinel: {params!r}")
            compiled = _Compiled(
                sql=sql,
                order=tuple(by_value[param] for param in params),
                compiler=compiler,
                converters=compiler.get_converters(
                    [column[0] for column in compiler.select[: compiler.col_count]]
                ),
                for_update=bool(queryset.query.select_for_update),
            )
            self._by_alias[alias] = compiled
        return compiled

    def _rows(self, alias: str, values: dict):
        connection = connections[alias]
        compiled = self._compile(alias)
        if compiled.for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update outside a transaction")
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, [values[name] for name in compiled.order])
            rows = cursor.fetchall()
        if compiled.converters:
            rows = compiled.compiler.apply_converters(rows, compiled.converters)
        return compiled, rows

    def values(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list[tuple]:
        """The rows as tuples (for a `values_list()` queryset)."""
        compiled, rows = self._rows(using, values)
        width = compiled.compiler.col_count
        return [tuple(row[:width]) for row in rows]

    def objects(self, *, using: str = DEFAULT_DB_ALIAS, **values) -> list:
        """The model instances, as the queryset's own iteration builds them."""
        compiled, rows = self._rows(using, values)
        compiler = compiled.compiler
        select, klass_info = compiler.select, compiler.klass_info
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        names = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, using)
        result = []
        for row in rows:
            instance = model.from_db(using, names, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            result.append(instance)
        return result

    def first(self, **values):
        found = self.objects(**values)
        return found[0] if found else None
