"""`manage.py seed_demo`: build a realistic demo district, the same one for the same seed.

The district is modelled on the programme in Taijiang, Fuzhou, as it is run: 44 partners,
300+ assistants, service points, dispatches, the 4-category / 21-item checklist, enterprises and
residents, plus demo logins for staff (a superuser whose password is random, printed once),
assistants and a partner manager; then the duty rota: shift templates, some leave, a published
rota for the current and the next month with the past days' attendance, and a few swap
requests; then a year of cases in every state with their timelines, visits, return visits (some
overdue), referrals, extension requests, council meetings and enterprise liaisons. `--scale N`
multiplies the large tables for benchmarks, so they are written with bulk_create; bulk_create
skips full_clean(), which is why every value is generated valid by construction (the database's
CHECK and UNIQUE constraints would refuse anything else). It refuses to run in production.
"""

import time
from collections import Counter

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils.translation import gettext as _

from assistants.models import (
    Assistant,
    Dispatch,
    Rota,
    ServicePoint,
    Shift,
    ShiftTemplate,
    Skill,
    SwapRequest,
    Unavailability,
)
from cases.models import (
    Case,
    CaseEvent,
    CouncilMeeting,
    Enterprise,
    EnterpriseLiaison,
    ExtensionRequest,
    FollowUp,
    Referral,
    Resident,
    ServiceCategory,
    ServiceItem,
    Visit,
)
from demo.seeding import data
from demo.seeding.common import DEFAULT_SEED
from demo.seeding.district import build_demo_district
from partners.models import Agreement, Partner, PartnerContact
from partners.services import create_api_key
from talentoffice.models import Community, Street


class Command(BaseCommand):
    help = "Fill an empty database with a realistic demo district and demo logins."

    def add_arguments(self, parser):
        parser.add_argument(
            "--seed",
            type=int,
            default=DEFAULT_SEED,
            help="Random seed; the same seed gives the same names, phones and codes.",
        )
        parser.add_argument(
            "--scale",
            type=int,
            default=1,
            help="Multiply assistants, dispatches, enterprises and residents (for benchmarks).",
        )
        parser.add_argument(
            "--if-empty",
            action="store_true",
            help="Do nothing when the database already has partners (for `make run`).",
        )

    def handle(self, *args, seed, scale, if_empty, **options):
        """Refuse or skip on a non-empty database; otherwise seed and print the logins."""
        if settings.PRODUCTION:
            # Demo logins (one of them a superuser) and made-up residents have no place beside
            # the district's real records.
            raise CommandError(
                _(
                    "seed_demo does not run when DJANGO_ENV=production: it writes made-up "
                    "people and demo logins. Seed a development database instead."
                )
            )
        if scale < 1:
            raise CommandError("--scale must be 1 or more.")
        started = time.monotonic()
        with transaction.atomic():
            # Checked inside the transaction so that two concurrent runs cannot both seed.
            if Partner.objects.exists():
                if if_empty:
                    self.stdout.write("The database already has data; demo seeding skipped.")
                    return
                raise CommandError(
                    "The database already has partners; seed_demo only fills an empty database. "
                    "Use --if-empty to skip quietly, or start from a fresh database."
                )
            district = build_demo_district(seed=seed, scale=scale)
            # The partner API's demo key (shown once, stored hashed), for the demo partner.
            api_partner = Partner.objects.get(short_name=data.DEMO_PARTNER_SHORT_NAME)
            _api_key, raw_api_key = create_api_key(partner=api_partner, name="demo")
        logins = district.logins
        elapsed = time.monotonic() - started

        if options["verbosity"] >= 1:
            self.stdout.write(
                f"Seeded the demo district (seed {seed}, scale {scale}) in {elapsed:.1f} s:"
            )
            for label, model in [
                ("streets", Street),
                ("communities", Community),
                ("partners", Partner),
                ("agreements", Agreement),
                ("partner contacts", PartnerContact),
                ("skills", Skill),
                ("assistants", Assistant),
                ("service points", ServicePoint),
                ("dispatches", Dispatch),
                ("service categories", ServiceCategory),
                ("service items", ServiceItem),
                ("enterprises", Enterprise),
                ("residents", Resident),
                ("shift templates", ShiftTemplate),
                ("leave and trips", Unavailability),
                ("rotas", Rota),
                ("shifts", Shift),
                ("swap requests", SwapRequest),
                ("cases", Case),
                ("case events", CaseEvent),
                ("visits", Visit),
                ("follow-ups", FollowUp),
                ("referrals", Referral),
                ("extension requests", ExtensionRequest),
                ("council meetings", CouncilMeeting),
                ("enterprise liaisons", EnterpriseLiaison),
            ]:
                self.stdout.write(f"  {label}: {model.objects.count()}")
            self.stdout.write(f"  open shifts: {Shift.objects.open().count()}")
            states = Counter(Case.objects.values_list("state", flat=True))
            self.stdout.write(
                "  cases by state: " + ", ".join(f"{s} {n}" for s, n in sorted(states.items()))
            )
            self.stdout.write(
                "  timings: "
                + ", ".join(f"{step} {seconds:.1f} s" for step, seconds in district.timings.items())
            )
        self.stdout.write(f"demo api key: {api_partner.short_name} {raw_api_key}")
        for role, username, password in logins:
            self.stdout.write(f"demo login: {role} {username} {password}")
