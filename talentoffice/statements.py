"""ORM queries compiled once per process, then run again from their SQL.

Building and compiling a query through the ORM costs 0.1–0.6 ms of CPU, often more than the
query's own round trip to PostgreSQL. Where a small key says everything that shapes a
statement (its text and its parameters), the statement is compiled the first time and replayed
after that. The rows still pass through the fields' converters (decryption, for one), and the
statement still runs through Django's cursor, so execute wrappers, query counts in tests and
the debug query log see it as before.

Two ways in: `remembered_values` for a `.values()` queryset that a small key determines wholly
(the partner API's first pages), and `rows_for_values` for a query that differs only in a list
of ids, written with the `__any` lookup defined here (the skills and helpers of a page).

The text depends on the models and the database backend only: a deploy restarts the processes,
which empties the cache.
"""

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Lookup
from django.db.models.query import ValuesIterable

# Keys per process before a cache starts again; the keys of one kind of statement are few
# (e.g. partner x list x ordering x page size), this only bounds a surprise.
MAX_STATEMENTS = 4096


# Compiled statements and remembered querysets, per process; each key starts with its kind.
_kept_values: dict[tuple, Any] = {}


def kept(key: tuple, make: Callable[[], Any]):
    """What `make()` gives, made the first time `key` is asked for and kept; emptied when full.

    For compiled statements and what they are made from; the key starts with its kind.
    """
    value = _kept_values.get(key)
    if value is None:
        value = make()
        if len(_kept_values) >= MAX_STATEMENTS:
            _kept_values.clear()
        _kept_values[key] = value
    return value


@dataclass(frozen=True)
class CompiledStatement:
    """A compiled query: its SQL, its parameters, and the converters of its columns."""

    sql: str
    params: tuple
    # Column position -> (converter functions, expression), as the ORM's compiler gives them.
    converters: dict[int, tuple[list, Any]]
    # The columns' names, where rows are read as dicts.
    names: tuple[str, ...] = ()

    @classmethod
    def of(cls, query, using: str, names: tuple[str, ...] = ()) -> "CompiledStatement":
        compiler = query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        columns = [column for column, _sql, _alias in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(columns)
        return cls(sql=sql, params=tuple(params), converters=converters, names=names)

    def rows(self, connection, params=None) -> list[list]:
        """Run the statement (with other parameters, if given) and return converted rows."""
        with connection.cursor() as cursor:
            cursor.execute(self.sql, self.params if params is None else params)
            rows = [list(row) for row in cursor.fetchall()]
        if self.converters:
            converters = list(self.converters.items())
            for row in rows:
                for position, (functions, expression) in converters:
                    value = row[position]
                    for function in functions:
                        value = function(value, expression, connection)
                    row[position] = value
        return rows


class RememberedValuesIterable(ValuesIterable):
    """`.values()` rows from a statement compiled once per key (see `remember_statement`)."""

    def __iter__(self):
        queryset = self.queryset
        query = queryset.query
        if len(query.where.children) != query.statement_where_size:
            # Filtered after the key was given: the key no longer says what the statement is.
            yield from super().__iter__()
            return
        # What may still change the statement after the key was given: the ordering and the
        # slice a paginator applies.
        key = (
            "values",
            queryset.db,
            query.statement_key,
            query.order_by,
            query.low_mark,
            query.high_mark,
        )
        statement = kept(key, lambda: _compile_values(query, queryset.db))
        names = statement.names
        for row in statement.rows(connections[queryset.db]):
            yield dict(zip(names, row, strict=True))


def _compile_values(query, using: str) -> CompiledStatement:
    # The row's keys, as ValuesIterable names them.
    names = (
        tuple(query.selected)
        if query.selected
        else (*query.extra_select, *query.values_select, *query.annotation_select)
    )
    return CompiledStatement.of(query, using, names)


def remember_statement(values_queryset, key: tuple):
    """The same `.values()` queryset, whose SQL is compiled once per key and process.

    The caller promises that `key` determines the statement, parameters included, up to the
    ordering and slicing applied afterwards (which the cache key adds itself). Filtering the
    result again breaks that promise, and is caught: such a queryset compiles as usual.
    """
    remembered = values_queryset._chain()
    remembered._iterable_class = RememberedValuesIterable
    remembered.query.statement_key = key
    remembered.query.statement_where_size = len(remembered.query.where.children)
    return remembered


def remembered_values(key: tuple, build: Callable[[], Any]):
    """The `.values()` queryset `build()` gives for this key, built once per key and process.

    For a queryset that costs more to build (scoping, filters, `only()`) than to use, and that
    `key` determines wholly. It is never evaluated itself: ordering or slicing it makes a copy,
    which runs its statement as `remember_statement` says.
    """
    return kept(("queryset", key), lambda: remember_statement(build(), key))


class AnyOf(Lookup):
    """`column__any=[…]`: on PostgreSQL `column = ANY(%s)`, the values as one array parameter.

    `__in` writes one placeholder per value, so its statement changes with the number of values;
    this one's text is the same for any list, and can be compiled once (`rows_for_values`).
    Elsewhere (SQLite, the embedded default) it is `IN` with a placeholder per value.
    Registered on every field (talentoffice.apps).
    """

    lookup_name = "any"
    prepare_rhs = False

    def get_db_prep_lookup(self, value, connection):
        return "%s", [list(value)]

    def as_postgresql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} = ANY({rhs})", [*lhs_params, *rhs_params]

    def as_sql(self, compiler, connection):
        lhs, lhs_params = self.process_lhs(compiler, connection)
        values = list(self.rhs)
        if not values:
            raise EmptyResultSet
        placeholders = ", ".join(["%s"] * len(values))
        return f"{lhs} IN ({placeholders})", [*lhs_params, *values]


# Stands for the list of values when a statement with `__any` is compiled once; found again
# among the compiled parameters by equality (the ORM copies lists it is given).
ANY_VALUES = [-20261207]


def rows_for_values(key: tuple, build: Callable[[list], Any], values: list, using: str) -> list:
    """The rows of `build(values)`, a query filtering with `__any=values`, compiled once per key.

    `key` must say everything the statement depends on but the values (a partner, say).
    """
    if connections[using].vendor != "postgresql":
        return [list(row) for row in build(values)]
    statement = kept(("for values", using, key), lambda: _compile_for_values(key, build, using))
    params = [values if param == ANY_VALUES else param for param in statement.params]
    return statement.rows(connections[using], params)


def _compile_for_values(key: tuple, build: Callable[[list], Any], using: str):
    statement = CompiledStatement.of(build(ANY_VALUES).query, using)
    if statement.params.count(ANY_VALUES) != 1:
        raise RuntimeError(f"{key}: the statement should take the values once")
    return statement
