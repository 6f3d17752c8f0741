"""The audit trail: which models it follows, and the writes that signals cannot see.

django-auditlog writes one entry per create, update and delete of a registered model through
Django's model signals, with the actor and address that its own middleware
(`auditlog.middleware.AuditlogMiddleware`) takes from the request.
Three kinds of write pass by those signals, and are recorded here instead:

- `QuerySet.update()` (bulk actions such as suspending partners): `audited_update` reads the
  rows' old values, updates, and writes one entry per changed row in a single INSERT;
- rows inserted in bulk (a published rota's shifts): `log_bulk_create`;
- changes whose old values the caller already knows (a sweep that claimed "scheduled" shifts
  and marks them missed): `log_bulk_changes`, one INSERT and no extra read.

Celery tasks and management commands have no request, so no actor; they run as the system
user (`system_actor`), and the entry's `additional_data` names the task or command and host.
"""

import contextlib
import json
import socket
from contextvars import ContextVar
from datetime import datetime

from auditlog.cid import get_cid
from auditlog.context import auditlog_disabled
from auditlog.diff import get_field_value
from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection
from django.db.models import Expression, F, JSONField
from django.db.models.signals import pre_save
from django.utils.encoding import smart_str

from .request_id import current_request_id

SYSTEM_USERNAME = "system"
# The name of the task or command running now; None in a web request.
_process: ContextVar[str | None] = ContextVar("audit_process", default=None)
BATCH_SIZE = 1000


def mask_value(value: str) -> str:
    """How personal data appears in audit entries: the first two and last two characters."""
    value = value or ""
    if len(value) <= 4:
        return "*" * len(value)
    return value[:2] + "*" * (len(value) - 4) + value[-2:]


def track(model, *, exclude_fields=(), **options) -> None:
    """Follow every create, update and delete of one model; each app tracks its own in ready().

    Every entry has its time, so `updated_at` would only repeat it and is never recorded.
    """
    auditlog.register(model, exclude_fields=["updated_at", *exclude_fields], **options)


def current_cid() -> str | None:
    """The correlation ID of an entry: the request's ID (talentoffice.request_id), if any."""
    value = current_request_id.get()
    return None if value in ("", "-") else value


# -- who is acting ----------------------------------------------------------------------------


def system_user():
    """The user that stands for the programme's own processes in the audit trail."""
    user, created = get_user_model().objects.get_or_create(
        username=SYSTEM_USERNAME, defaults={"is_active": False}
    )
    if created:
        user.set_unusable_password()
        user.save(update_fields=["password"])
    return user


@contextlib.contextmanager
def system_actor(process: str):
    """Record changes made inside as the system user, naming the task or command."""
    token = _process.set(process)
    try:
        yield
    finally:
        _process.reset(token)


def _process_data() -> dict | None:
    process = _process.get()
    if process is None:
        return None
    return {"process": process, "host": socket.gethostname()}


# A system user looked up once for a whole bulk write, instead of once per entry.
_system_user_cache: ContextVar = ContextVar("audit_system_user", default=None)


def _complete_entry(sender, instance, **kwargs):
    """Fill in the system actor for entries written by a task or a command."""
    data = _process_data()
    if data is None or instance.actor_id is not None:
        return
    instance.actor = _system_user_cache.get() or system_user()
    instance.additional_data = {**(instance.additional_data or {}), **data}


# -- celery -----------------------------------------------------------------------------------

_task_tokens = {}


def _task_started(task_id=None, task=None, **kwargs):
    _task_tokens[task_id] = _process.set(f"celery task {task.name}")


def _task_finished(task_id=None, **kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        with contextlib.suppress(ValueError):
            _process.reset(token)


def connect() -> None:
    """Hook the actors into entries and Celery tasks; the apps register their models (`track`)."""
    from celery.signals import task_postrun, task_prerun

    # Connected once at start, so before the receiver auditlog's middleware connects for each
    # request: a task run inside a request (eagerly) is the system's, with the request's address.
    pre_save.connect(_complete_entry, sender=LogEntry, dispatch_uid="talentoffice.audit")
    task_prerun.connect(_task_started, dispatch_uid="talentoffice.audit.prerun", weak=False)
    task_postrun.connect(_task_finished, dispatch_uid="talentoffice.audit.postrun", weak=False)


# -- bulk writes ------------------------------------------------------------------------------


def _tracked_fields(model, names):
    """The fields among `names` that the model's registration records."""
    if not auditlog.contains(model):
        return []
    settings = auditlog.get_model_fields(model)
    fields = []
    for name in names:
        field = model._meta.get_field(name)
        if field.name in settings["exclude_fields"]:
            continue
        if settings["include_fields"] and field.name not in settings["include_fields"]:
            continue
        fields.append(field)
    return fields


def _masked(model, field_name: str, value: str) -> str:
    settings = auditlog.get_model_fields(model)
    if field_name in settings["mask_fields"] and value not in ("None", ""):
        return mask_value(value)
    return value


def _entries(model, rows, action) -> list[LogEntry]:
    """LogEntry objects for (pk, repr, changes) rows; `_write` adds who and from where."""
    content_type = ContentType.objects.get_for_model(model)
    cid = get_cid()
    return [
        LogEntry(
            content_type=content_type,
            object_pk=smart_str(pk),
            object_id=pk if isinstance(pk, int) else None,
            object_repr=text,
            action=action,
            changes=changes,
            cid=cid,
        )
        for pk, text, changes in rows
    ]


def _write(entries) -> None:
    """Insert the entries in bulk, with the actor and address an ordinary save would get.

    bulk_create sends no signals, so pre_save is sent here for each entry: the middleware's
    receiver (present only during a request) sets the actor and address, ours the system actor.
    """
    if auditlog_disabled.get() or not entries:
        return
    token = _system_user_cache.set(system_user() if _process.get() is not None else None)
    try:
        for entry in entries:
            pre_save.send(sender=LogEntry, instance=entry, raw=False, using="default")
    finally:
        _system_user_cache.reset(token)
    if connection.vendor == "postgresql":
        _insert_as_json(entries)
    else:
        LogEntry.objects.bulk_create(entries, batch_size=BATCH_SIZE)


def _insert_as_json(entries) -> None:
    """Insert the entries in one statement, their rows sent as a single JSON document.

    A published month of the whole district is tens of thousands of entries. bulk_create would
    send them in batches, each column as an array whose JSON strings psycopg escapes element by
    element; `jsonb_to_recordset` takes one document that Python's json module encodes at once.
    """
    fields = [f for f in LogEntry._meta.concrete_fields if not f.primary_key]
    rows = []
    for entry in entries:
        row = {}
        for field in fields:
            value = field.pre_save(entry, add=True)
            if isinstance(value, datetime):
                value = value.isoformat()
            elif value is not None and not isinstance(field, JSONField):
                value = field.get_prep_value(value)
            row[field.column] = value
        rows.append(row)
    quote = connection.ops.quote_name
    columns = ", ".join(quote(f.column) for f in fields)
    # Parameters such as varchar(255) lose their length: the table's own type checks it.
    types = ", ".join(f"{quote(f.column)} {f.db_type(connection).split('(')[0]}" for f in fields)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {quote(LogEntry._meta.db_table)} ({columns}) "
            f"SELECT {columns} FROM jsonb_to_recordset(%s::jsonb) AS r({types})",
            [json.dumps(rows, cls=DjangoJSONEncoder)],
        )


def audited_update(queryset, *, select_related=(), **values) -> int:
    """`queryset.update(**values)`, with one audit entry for each row whose values change.

    Reads the rows (locked inside a transaction, so nobody changes them between the read and
    the update), updates them in one statement, then inserts the entries in one statement.
    """
    model = queryset.model
    fields = _tracked_fields(model, values)
    if not fields:
        return queryset.update(**values)
    rows = queryset.select_related(*select_related)
    if connection.in_atomic_block and connection.features.has_select_for_update:
        rows = rows.select_for_update(of=("self",))
    before = list(rows)
    if not before:
        return 0
    count = model._base_manager.filter(pk__in=[row.pk for row in before]).update(**values)
    after = {row.pk: row for row in before}
    computed = [name for name, value in values.items() if isinstance(value, Expression | F)]
    if computed:
        fresh = model._base_manager.filter(pk__in=list(after)).only(*computed)
        new_values = {row.pk: {name: getattr(row, name) for name in computed} for row in fresh}
    entries = []
    for old in before:
        new = model(**{f.attname: getattr(old, f.attname) for f in model._meta.concrete_fields})
        for name, value in values.items():
            setattr(new, name, new_values[old.pk][name] if name in computed else value)
        changes = {}
        for field in fields:
            was, now = get_field_value(old, field), get_field_value(new, field)
            if was != now:
                changes[field.name] = [
                    _masked(model, field.name, smart_str(was)),
                    _masked(model, field.name, smart_str(now)),
                ]
        if changes:
            entries.append((old.pk, smart_str(old), changes))
    _write(_entries(model, entries, LogEntry.Action.UPDATE))
    return count


def log_bulk_changes(*, model, changes_by_pk: dict, reprs: dict | None = None) -> None:
    """Entries for rows changed in bulk whose old and new values the caller knows.

    `changes_by_pk` maps a primary key to {field name: (old, new)}; values are Python values.
    """
    reprs = reprs or {}
    label = str(model._meta.verbose_name)
    rows = [
        (
            pk,
            reprs.get(pk, f"{label} #{pk}"),
            {
                name: [
                    _masked(model, name, smart_str(old)),
                    _masked(model, name, smart_str(new)),
                ]
                for name, (old, new) in changes.items()
            },
        )
        for pk, changes in changes_by_pk.items()
    ]
    _write(_entries(model, rows, LogEntry.Action.UPDATE))


def log_bulk_create(instances, *, note: str = "") -> None:
    """One CREATE entry per instance inserted without save() (bulk_create, COPY)."""
    instances = list(instances)
    if not instances or not auditlog.contains(type(instances[0])):
        return
    model = type(instances[0])
    fields = _tracked_fields(model, [f.name for f in model._meta.concrete_fields])
    masked = set(auditlog.get_model_fields(model)["mask_fields"])
    rows = []
    for instance in instances:
        changes = {}
        for field in fields:
            value = get_field_value(instance, field)
            if value in (None, "None", ""):
                continue
            text = smart_str(value)
            changes[field.name] = ["None", mask_value(text) if field.name in masked else text]
        rows.append((instance.pk, smart_str(instance), changes))
    entries = _entries(model, rows, LogEntry.Action.CREATE)
    if note:
        for entry in entries:
            entry.additional_data = {**(entry.additional_data or {}), "bulk": note}
    _write(entries)


# -- reading the trail ------------------------------------------------------------------------


def _field(model, name):
    """The model's own field of that name, or None (removed since, or a reverse relation)."""
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if getattr(field, "concrete", False) else None


def describe_entries(entries) -> list[dict]:
    """Entries as the history page shows them: labels, and each change as (field, from, to).

    Related rows are named rather than shown as ids, with one query per related model for
    the whole page, whatever the number of entries.
    """
    entries = list(entries)
    wanted: dict = {}
    for entry in entries:
        model = entry.content_type.model_class()
        for name, change in (entry.changes or {}).items():
            field = _field(model, name) if model else None
            if field is not None and field.many_to_one and isinstance(change, list):
                for value in change:
                    if value not in ("None", "", None):
                        wanted.setdefault(field.related_model, set()).add(value)
    names = {}
    for related, keys in wanted.items():
        pks = [related._meta.pk.to_python(key) for key in keys]
        # select_related(): a related row's name often names its own parent (an assistant
        # "林博 (海峡银行)"), which would otherwise cost a query per row.
        for pk, obj in related._base_manager.select_related().in_bulk(pks).items():
            names[(related, smart_str(pk))] = smart_str(obj)
    return [_describe(entry, names) for entry in entries]


def _show(field, value, names) -> str:
    if value in ("None", None):
        return "—"
    if field is None:
        return smart_str(value)
    if field.many_to_one:
        return names.get((field.related_model, smart_str(value)), f"#{value}")
    if field.choices:
        return smart_str(dict(field.flatchoices).get(value, value))
    return smart_str(value)


def _describe(entry, names) -> dict:
    model = entry.content_type.model_class()
    rows = []
    for name, change in (entry.changes or {}).items():
        field = _field(model, name) if model else None
        label = smart_str(field.verbose_name) if field is not None else name
        if isinstance(change, dict):  # a many-to-many change
            objects = "、".join(change.get("objects", []))
            old, new = ("", objects) if change.get("operation") == "add" else (objects, "")
            rows.append({"label": label, "old": old or "—", "new": new or "—"})
        else:
            old, new = [*change, None, None][:2]
            rows.append(
                {"label": label, "old": _show(field, old, names), "new": _show(field, new, names)}
            )
    data = entry.additional_data or {}
    return {
        "timestamp": entry.timestamp,
        "action_label": entry.get_action_display(),
        "actor_label": entry.actor.get_username() if entry.actor_id else (entry.actor_email or "—"),
        "process": data.get("process", "") + (f" · {data['bulk']}" if data.get("bulk") else ""),
        "remote_addr": entry.remote_addr,
        "rows": rows,
    }


def entries_for(obj):
    """The audit entries of one object, newest first."""
    return (
        LogEntry.objects.get_for_object(obj)
        .select_related("actor", "content_type")
        .order_by("-timestamp", "-pk")
    )


def content_type_id(obj) -> int:
    """The content type id of an object, for links into the audit trail's list."""
    return ContentType.objects.get_for_model(type(obj)).pk
