"""Who hears of what: one table from each event of the programme to the people told and the
partner webhook raised, and the machinery that tells them in the event's own transaction.

The timeline rows (a case's events, a shift's history) are the log of what happened. Each app
says, in its `AppConfig.ready()`, which of its rows are told to whom (`register`) and which model
is such a log (`log_model`); writing a row of that model is then enough. Rows written in bulk,
and happenings with no row of their own (a rota published, leave that freed shifts), are told
with `announce()`. Workflow functions never call `notify()` or a webhook themselves.

The event and the promise to tell of it commit together: the `Notification` rows and the
partners' webhook rows are written in the step's transaction, so a crash right after the commit
loses nothing and a step that is rolled back has told nobody. Only the delivery tasks wait for
the commit (the outbox queues them with `delay_on_commit`). A service function runs as one
`step`: what it announces is told when its outermost step ends, still inside the transaction,
so that what is told reads the case or shift as the whole step left it (the assignment event
is written before the lead is set, for instance). An event written outside any step is told at
once.

The core imports no app: the audiences and payloads are the apps' own functions.
"""

import functools
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models.signals import post_save

from .access import district_staff
from .notifications import Message, notify_many


@dataclass(frozen=True)
class Tell:
    """One audience of an event: who (a function of the event giving users), with what message.

    The message is a `Notification` row of `kind`: the person's inbox on the web and the
    phone, and an e-mail when their preference wants one. Its texts are the kind's template
    (`talentoffice.kinds`, in the wording `variant`), filled from `names(event, recipient)` in
    each recipient's language; `occasion(event)` tells two events of one kind about one target
    apart.
    """

    audience: str
    who: Callable[[object], Iterable]
    kind: str
    names: Callable[[object, object], Mapping]
    target: Callable[[object], object]
    variant: str = ""
    occasion: Callable[[object], object] = lambda event: event.pk
    link: Callable[[object], str] = lambda event: ""


@dataclass(frozen=True)
class Rule:
    """What one kind of event tells: the audiences, and the partner webhook it raises."""

    model: str
    kind: str
    tell: tuple[Tell, ...] = ()
    # Called once with every event of this kind in one step, so that a batch reads the
    # partners' endpoints once.
    webhook: Callable[[list], None] | None = None
    webhook_event: str = ""


_RULES: dict[tuple[str, str], Rule] = {}
_KIND_OF: dict[str, Callable[[object], str]] = {}


def _label(model) -> str:
    return model._meta.label_lower


def register(model, kind, *, tell=(), webhook=None, webhook_event="") -> Rule:
    """Add one row to the table: events of `kind` on `model` tell these people and this webhook."""
    key = (_label(model), str(kind))
    if key in _RULES:
        raise ValueError(f"{key} is already in the event table")
    rule = Rule(
        model=key[0],
        kind=key[1],
        tell=tuple(tell),
        webhook=webhook,
        webhook_event=str(webhook_event),
    )
    _RULES[key] = rule
    return rule


def rules() -> list[Rule]:
    """The whole table, for the documentation and the tests."""
    return sorted(_RULES.values(), key=lambda rule: (rule.model, rule.kind))


def rule_for(model, kind) -> Rule | None:
    """The row for this kind of event on this model, or None when nobody hears of it."""
    return _RULES.get((_label(model), str(kind)))


def log_model(model, *, kind_of: Callable[[object], str] = lambda row: row.kind) -> None:
    """Make `model` a log: every row created through save() is announced under `kind_of(row)`."""
    _KIND_OF[_label(model)] = kind_of
    post_save.connect(_row_saved, sender=model, dispatch_uid=f"talentoffice.events:{model}")


def _row_saved(sender, instance, created, raw=False, **kwargs):
    # Fixtures (raw) replay history that was told when it happened.
    if created and not raw:
        announce([instance])


def kind_of(instance) -> str:
    """The table's kind of a log row (or of an announced object, which says its own)."""
    return _KIND_OF[_label(type(instance))](instance)


def announce(instances: Iterable, kind=None) -> None:
    """Tell of these events in the current transaction: when the open step ends, else now.

    `kind` names what happened to objects that are not log rows (a rota published); log rows
    say their own kind. Rows written with bulk_create are announced this way, since no signal
    runs for them.
    """
    batch, seen = [], set()
    for instance in instances:
        event_kind = str(kind) if kind is not None else kind_of(instance)
        rule = rule_for(type(instance), event_kind)
        # A row saved and announced again is told once.
        if rule is not None and (rule, instance.pk) not in seen:
            seen.add((rule, instance.pk))
            batch.append((rule, type(instance), instance.pk))
    if not batch:
        return
    state = _state
    if state.depth:
        state.pending += batch
    else:
        _tell(batch)


class _StepState(threading.local):
    # One web request or task runs one step at a time per thread; nested steps (a hand-over
    # reassigning each case) add to the outermost one's events.
    def __init__(self):
        self.depth = 0
        self.pending = []


_state = _StepState()


@contextmanager
def telling():
    """One step of a workflow in one transaction; its events are told as it ends, before commit."""
    state = _state
    with transaction.atomic():
        mark = len(state.pending)
        state.depth += 1
        try:
            yield
        except BaseException:
            # The step's savepoint rolls back: its events never happened.
            del state.pending[mark:]
            raise
        finally:
            state.depth -= 1
        if state.depth == 0 and state.pending:
            batch, state.pending = state.pending, []
            _tell(batch)


def step(func):
    """Run a service function as one `telling()` step (it replaces `transaction.atomic`)."""

    @functools.wraps(func)
    def run(*args, **kwargs):
        with telling():
            return func(*args, **kwargs)

    return run


def _tell(batch) -> None:
    """Tell of a step's events: re-read the objects, write the messages and webhook rows."""
    ids_by_model = defaultdict(list)
    for _rule, model, pk in batch:
        ids_by_model[model].append(pk)
    # Re-read: what is told is the state the whole step left, not the one of the moment the
    # row was written; a row whose savepoint rolled back is gone and told to nobody.
    found = {model: model._base_manager.in_bulk(pks) for model, pks in ids_by_model.items()}
    events_by_rule: dict[Rule, list] = defaultdict(list)
    for rule, model, pk in batch:
        event = found[model].get(pk)
        if event is not None:
            events_by_rule[rule].append(event)
    with transaction.atomic():
        messages = []
        for rule, events in events_by_rule.items():
            for event in events:
                messages += _messages(rule, event)
            if rule.webhook is not None:
                rule.webhook(events)
        notify_many(messages)


def _messages(rule: Rule, event) -> list[Message]:
    messages = []
    # Nobody is told of a step they took themselves (an assistant who files a case for
    # themselves is not told it was given to them).
    actor_id = getattr(event, "actor_id", None)
    for tell in rule.tell:
        seen = {actor_id} if actor_id is not None else set()
        for user in tell.who(event):
            # One person in two roles (a lead who is also a partner manager) hears it once.
            if user is None or user.pk in seen or not user.is_active:
                continue
            seen.add(user.pk)
            messages.append(
                Message(
                    recipient=user,
                    kind=tell.kind,
                    names=_bound(tell.names, event, user),
                    variant=tell.variant,
                    target=tell.target(event),
                    occasion=tell.occasion(event),
                    link=tell.link(event),
                )
            )
    return messages


def _bound(names, event, recipient):
    return lambda: names(event, recipient)


# -- what both timelines share: their rows name the assistant they are about ----------------


def users_of(*people) -> list:
    """The logins of these people (assistants, contacts), leaving out who has none."""
    return [person.user for person in people if person is not None and person.user_id]


def the_assistant(event) -> list:
    """The assistant the event is about (the new lead, the helper, who got or lost a shift)."""
    return users_of(event.assistant)


def staff(event):
    """District staff (`access.district_staff`): they assign, fill shifts, decide requests."""
    return district_staff()


def to_the_assistants_partner(emit, webhook_event, payload):
    """A rule's webhook: each event's `payload(event)` to the partner of the assistant it is
    about, written through `emit(event=..., items=[(partner_id, data), ...])` (the partners'
    webhooks, which the core does not import)."""

    def send(batch):
        emit(
            event=webhook_event,
            items=[
                (event.assistant.partner_id, payload(event))
                for event in batch
                if event.assistant is not None
            ],
        )

    return send


@dataclass
class Told:
    """For tests and documentation: an event kind, who hears of it, and its webhook."""

    model: str
    kind: str
    audiences: list[str] = field(default_factory=list)
    webhook_event: str = ""


def table() -> list[Told]:
    """The table as plain rows."""
    return [
        Told(
            model=rule.model,
            kind=rule.kind,
            audiences=[tell.audience for tell in rule.tell],
            webhook_event=rule.webhook_event,
        )
        for rule in rules()
    ]
