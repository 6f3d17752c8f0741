"""Assistants, their postings and the duty rota: templates, leave, rotas, attendance, swaps."""

import itertools
import random
import time
from collections import defaultdict
from datetime import datetime, timedelta
from datetime import time as clock

from django.db.models import F

from assistants.models import (
    Assistant,
    Dispatch,
    Shift,
    ShiftEvent,
    ShiftTemplate,
    SwapRequest,
    Unavailability,
)
from assistants.rota import LOCAL_TZ, generate_rota, publish_rota

from . import data
from .common import (
    DEMO_OFFERS,
    LAST_DISPATCH_START,
    WITHDRAWN_BY,
    _bulk,
    _clock,
    _in_force,
    _month_after,
    _split,
)


class DemoAssistants:
    """Assistants and dispatches, then the two months of duty."""

    def build_assistants(self):
        """Finance assistants from financial partners, legal ones from law firms, with skills."""
        rng = self.rng
        statuses, status_weights = zip(*data.ASSISTANT_STATUS_WEIGHTS, strict=True)
        status_cum = list(itertools.accumulate(status_weights))
        volumes = {
            "finance": data.FINANCE_ASSISTANTS * self.scale,
            "legal": data.LEGAL_ASSISTANTS * self.scale,
        }
        # The first assistant of these partners gets a demo login (assistant1..3).
        login_partners = [data.DEMO_PARTNER_SHORT_NAME, *data.DEMO_LEGAL_SHORT_NAMES]
        logins = dict(zip(login_partners, self.assistant_users, strict=True))

        assistants = []
        for sector in ("finance", "legal"):
            partners = self.partners_by_sector[sector]
            counts = _split(volumes[sector], self.partner_weights[sector])
            for partner, count in zip(partners, counts, strict=True):
                for position in range(count):
                    surname, given, gender = self.person()
                    user = logins.get(partner.short_name) if position == 0 else None
                    licence = ""
                    if sector == "legal":
                        licence = self.licences.next(year=rng.randrange(2005, 2023), gender=gender)
                    assistants.append(
                        Assistant(
                            name=surname + given,
                            partner=partner,
                            specialty=partner.sector,
                            title=rng.choice(data.ASSISTANT_TITLES[sector]),
                            phone=self.mobiles.next(),
                            licence_number=licence,
                            party_member=rng.random() < data.PARTY_MEMBER_SHARE[sector],
                            # Demo logins stay active so that they see shifts and cases.
                            status="active"
                            if user
                            else rng.choices(statuses, cum_weights=status_cum)[0],
                            user=user,
                        )
                    )
                    if user:
                        user.last_name, user.first_name = surname, given
                        user.save(update_fields=["last_name", "first_name"])
        self.assistants = _bulk(Assistant, assistants)

        through = Assistant.skills.through
        links = []
        for assistant in self.assistants:
            tags = data.SKILLS_BY_SPECIALTY[assistant.specialty]
            for tag in rng.sample(tags, rng.choice((0, 1, 1, 2, 2, 3))):
                links.append(through(assistant_id=assistant.pk, skill_id=self.skills[tag].pk))
        _bulk(through, links)
        self.skill_links = len(links)

    def build_dispatches(self):
        """Post every assistant to a point, some to a second one; withdrawn ones' postings ended."""
        rng = self.rng
        last_start = LAST_DISPATCH_START
        dispatches = []
        for assistant in self.assistants:
            kinds, weights = zip(*data.DISPATCH_KIND_WEIGHTS[assistant.specialty], strict=True)
            postings = 2 if rng.random() < 0.3 else 1
            chosen = []
            while len(chosen) < postings:
                kind = rng.choices(kinds, weights=weights)[0]
                point = rng.choice(self.points_by_kind[kind])
                # Two postings of one assistant to one point may not overlap (a database rule).
                if point not in chosen:
                    chosen.append(point)
            earliest = self.agreement_start[assistant.partner_id]
            for point in chosen:
                starts_on = self.day_between(earliest, max(earliest, last_start))
                ends_on = None
                if assistant.status == "withdrawn" or rng.random() < 0.15:
                    ends_on = starts_on + timedelta(days=rng.randrange(90, 400))
                if assistant.status == "withdrawn":
                    # A withdrawn assistant's postings are over by the time the demo is looked at.
                    ends_on = max(starts_on, min(ends_on, WITHDRAWN_BY))
                dispatches.append(
                    Dispatch(
                        assistant_id=assistant.pk,
                        service_point=point,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        note=self.point_notes.get(point.name, data.DISPATCH_NOTE_COMMUNITY),
                    )
                )
        _bulk(Dispatch, dispatches)
        self.dispatch_count = len(dispatches)
        self.dispatches = dispatches

    def build_templates(self):
        """Duty templates: the opening hours of each point, seats multiplied by the scale."""
        templates = []
        for point in self.points:
            if point.kind == "community_point":
                finance, legal = data.COMMUNITY_POINT_SEATS
                rows = [
                    ([weekday], start, end, finance, legal)
                    for weekday, start, end in data.COMMUNITY_POINT_SCHEDULES[point.opening_hours]
                ]
            else:
                rows = data.DISTRICT_POINT_TEMPLATES[point.kind]
            for weekdays, start, end, finance, legal in rows:
                templates.extend(
                    ShiftTemplate(
                        service_point=point,
                        weekday=weekday,
                        starts_at=_clock(start),
                        ends_at=_clock(end),
                        finance_needed=finance * self.scale,
                        legal_needed=legal * self.scale,
                    )
                    for weekday in weekdays
                )
        _bulk(ShiftTemplate, templates)

    def build_leave(self):
        """Leave and business trips in the two rota months: approved, requested and rejected."""
        rng = self.rng
        first, last = self.months[0][0], self.months[-1][1]
        active = [a for a in self.assistants if a.status == "active"]
        shares = [(status, round(share * len(active))) for status, share in data.LEAVE_SHARES]
        chosen = iter(rng.sample(active, sum(count for _, count in shares)))
        kinds, kind_weights = zip(*data.LEAVE_KINDS, strict=True)
        rows = []
        for status, count in shares:
            for assistant in itertools.islice(chosen, count):
                kind = rng.choices(kinds, weights=kind_weights)[0]
                # A request still waiting is for days to come; decided ones may be past.
                earliest = self.today + timedelta(days=1) if status == "requested" else first
                starts_on = self.day_between(min(earliest, last), last)
                ends_on = starts_on + timedelta(days=rng.randint(*data.LEAVE_DAYS) - 1)
                decided = status != "requested"
                decided_on = min(starts_on, self.today) - timedelta(days=rng.randrange(1, 5))
                rows.append(
                    Unavailability(
                        assistant_id=assistant.pk,
                        kind=kind,
                        starts_on=starts_on,
                        ends_on=ends_on,
                        status=status,
                        reason=rng.choice(data.LEAVE_REASONS[kind]),
                        decided_by=self.staff_user if decided else None,
                        decided_at=datetime.combine(decided_on, clock(17), tzinfo=LOCAL_TZ)
                        if decided
                        else None,
                    )
                )
        _bulk(Unavailability, rows)

    def build_rotas(self):
        """A published rota for the whole district for this month and the next."""
        self.rotas = []
        for first, last in self.months:
            rota = generate_rota(
                starts_on=first,
                ends_on=last,
                created_by=self.staff_user,
                name=f"{first.year}年{first.month}月全区轮值表",
            )
            # Seeding stays quiet: the demo logins' inbox fills from the reminder sweep. The demo's
            # rotas follow today's date whatever the calendar knows of the year, so a year with
            # only statutory holidays so far is taken as it stands.
            publish_rota(
                rota=rota, by=self.staff_user, notify_assistants=False, provisional_confirmed=True
            )
            self.rotas.append(rota)

    def build_attendance(self):
        """Shifts before today were served, except a few nobody checked in to."""
        past = Shift.objects.filter(
            rota__in=self.rotas, date__lt=self.today, assistant__isnull=False
        )
        ids = list(
            past.order_by("starts_at", "service_point_id", "specialty", "pk").values_list(
                "pk", flat=True
            )
        )
        missed = self.rng.sample(ids, round(len(ids) * data.MISSED_SHARE))
        past.filter(pk__in=missed).update(status="missed")
        # Checked in a few minutes early, out at the end: one UPDATE for the whole past.
        past.exclude(pk__in=missed).update(
            status="completed",
            checked_in_at=F("starts_at") - timedelta(minutes=5),
            checked_out_at=F("ends_at"),
        )

    def build_swaps(self):
        """A few upcoming shifts offered by their holder, to anyone or to a free colleague."""
        rng = self.rng
        upcoming = list(
            Shift.objects.filter(rota__in=self.rotas, date__gt=self.today, assistant__isnull=False)
            .order_by("starts_at", "service_point_id", "specialty", "pk")
            .values_list(
                "pk",
                "assistant_id",
                "service_point_id",
                "specialty",
                "date",
                "starts_at",
                "ends_at",
            )
        )
        busy = defaultdict(list)
        for _pk, assistant_id, _point, _specialty, day, starts_at, ends_at in upcoming:
            busy[assistant_id, day].append((starts_at, ends_at))
        by_pk = {assistant.pk: assistant for assistant in self.assistants}
        # Active people posted to each point, by specialty, in a fixed order.
        posted = defaultdict(list)
        for dispatch in self.dispatches:
            person = by_pk[dispatch.assistant_id]
            if person.status == "active":
                posted[dispatch.service_point.pk, person.specialty].append(dispatch)
        on_leave = defaultdict(list)
        for assistant_id, starts_on, ends_on in Unavailability.objects.filter(
            status="approved"
        ).values_list("assistant_id", "starts_on", "ends_on"):
            on_leave[assistant_id].append((starts_on, ends_on))

        def free(assistant_id, day, starts_at, ends_at):
            """Neither on leave that day nor on duty at that time."""
            return not any(first <= day <= last for first, last in on_leave[assistant_id]) and not (
                any(s < ends_at and starts_at < e for s, e in busy[assistant_id, day])
            )

        swaps, events = [], []

        def offer(shift_id, requester_id, offered_to, note):
            swaps.append(
                SwapRequest(
                    shift_id=shift_id,
                    requested_by_id=requester_id,
                    offered_to_id=offered_to,
                    status="open",
                    note=note,
                )
            )
            events.append(
                ShiftEvent(
                    shift_id=shift_id,
                    kind="swap_offered",
                    actor=by_pk[requester_id].user,
                    assistant_id=requester_id,
                    note=note,
                )
            )

        count = min(len(upcoming), data.SWAP_REQUESTS * self.scale)
        for pk, requester_id, point_id, specialty, day, starts_at, ends_at in rng.sample(
            upcoming, count
        ):
            offered_to = None
            if rng.random() < 0.5:
                # From a random place in the list, the first colleague who is free: a fair pick
                # without testing thousands of colleagues at scale 100.
                colleagues = posted[point_id, specialty]
                start = rng.randrange(len(colleagues)) if colleagues else 0
                offered_to = next(
                    (
                        d.assistant_id
                        for d in itertools.chain(colleagues[start:], colleagues[:start])
                        if d.assistant_id != requester_id
                        and _in_force(d, day)
                        and free(d.assistant_id, day, starts_at, ends_at)
                    ),
                    None,
                )
            offer(pk, requester_id, offered_to, rng.choice(data.SWAP_NOTES))
        for shift_id, requester_id, note in self.demo_offers(upcoming, swaps, free):
            offer(shift_id, requester_id, None, note)
        _bulk(SwapRequest, swaps)
        _bulk(ShiftEvent, events)

    def demo_offers(self, upcoming, swaps, free):
        """Offers to anyone that give each demo login DEMO_OFFERS it is free to take, at any scale.

        As with cases: a bigger district puts more colleagues on a point, not more offers in
        front of one person. At scale 100 the random offers already reach that many; at scale 1
        a few colleagues at the demo login's points offer shifts of their specialty. A separate
        random stream, so that the rest of the seed stays as it was.
        """
        rng = random.Random(f"demo-offers:{self.seed}")
        shifts = {row[0]: row for row in upcoming}
        offered = {swap.shift_id for swap in swaps}
        open_to_anyone = [shifts[swap.shift_id] for swap in swaps if swap.offered_to_id is None]
        for demo in self.demo_assistants:
            points = {
                dispatch.service_point.pk
                for dispatch in self.dispatches
                if dispatch.assistant_id == demo.pk and _in_force(dispatch, self.today)
            }

            def can_take(row, demo=demo, points=points):
                _pk, holder, point, specialty, day, starts_at, ends_at = row
                return (
                    holder != demo.pk
                    and point in points
                    and specialty == demo.specialty
                    and free(demo.pk, day, starts_at, ends_at)
                )

            seen = sum(1 for row in open_to_anyone if can_take(row))
            candidates = [row for row in upcoming if can_take(row) and row[0] not in offered]
            for row in rng.sample(candidates, min(max(DEMO_OFFERS - seen, 0), len(candidates))):
                offered.add(row[0])
                open_to_anyone.append(row)
                yield row[0], row[1], rng.choice(data.SWAP_NOTES)

    def build_duty(self):
        """Templates, leave, the two months' rotas, past attendance and swap requests."""
        this_month = self.today.replace(day=1)
        next_month = _month_after(this_month)
        self.months = [
            (this_month, next_month - timedelta(days=1)),
            (next_month, _month_after(next_month) - timedelta(days=1)),
        ]
        for step in (
            self.build_templates,
            self.build_leave,
            self.build_rotas,
            self.build_attendance,
            self.build_swaps,
        ):
            started = time.monotonic()
            step()
            self.timings[step.__name__.removeprefix("build_")] = time.monotonic() - started
