"""Campaign progress and target lists.

A target is *reached* when, inside the campaign's period, a visit to it was logged or a case of
it was opened; when the campaign names assistants or partners, only their visits and the cases
they lead count (a campaign measures what its own people did). A community is reached through
its households or a visit at one of its service points.
"""

from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import BooleanField, Count, ExpressionWrapper, F, Q
from django.utils.translation import gettext as _

from cases.models import Case, Enterprise, Resident, Visit
from talentoffice.importing import RosterCSV, cell_text, normalize_header
from talentoffice.models import Community

from .figures import Period
from .models import Campaign, CampaignTarget

# Headers accepted for the one column of a target list, per kind (Chinese and English).
TARGET_HEADERS = {
    "enterprise": {"creditcode", "unifiedsocialcreditcode", "统一社会信用代码", "信用代码"},
    "household": {"phone", "手机号码", "电话", "联系电话", "手机号"},
    "community": {"community", "社区", "社区名称", "name", "名称"},
}


def _worker_ids(campaign: Campaign) -> tuple[list, list]:
    """The campaign's assistants and partners, read once per campaign object (2 queries)."""
    cached = getattr(campaign, "_worker_ids", None)
    if cached is None:
        cached = (
            list(campaign.assistants.values_list("pk", flat=True)),
            list(campaign.partners.values_list("pk", flat=True)),
        )
        campaign._worker_ids = cached
    return cached


def _workers(campaign: Campaign, assistant_field: str) -> Q:
    """Only the campaign's own people count, when it names any."""
    assistant_ids, partner_ids = _worker_ids(campaign)
    if not assistant_ids and not partner_ids:
        return Q()
    return Q(**{f"{assistant_field}_id__in": assistant_ids}) | Q(
        **{f"{assistant_field}__partner_id__in": partner_ids}
    )


def _visits(campaign: Campaign):
    since, until = Period(campaign.starts_on, campaign.ends_on).bounds()
    return Visit.objects.filter(
        _workers(campaign, "assistant"), occurred_at__gte=since, occurred_at__lt=until
    )


def _cases(campaign: Campaign):
    since, until = Period(campaign.starts_on, campaign.ends_on).bounds()
    return Case.objects.filter(
        _workers(campaign, "lead"), created_at__gte=since, created_at__lt=until
    )


def reached_expression(campaign: Campaign):
    """True on a CampaignTarget row reached in the campaign's period.

    IN (subquery) semi-joins, not correlated EXISTS: the period's visits and cases are read
    once and hashed, whatever the number of targets.
    """
    visits, cases = _visits(campaign), _cases(campaign)
    kind = campaign.target_kind
    if kind == "enterprise":
        q = Q(enterprise_id__in=visits.filter(enterprise__isnull=False).values("enterprise_id"))
        q |= Q(enterprise_id__in=cases.filter(enterprise__isnull=False).values("enterprise_id"))
    elif kind == "household":
        q = Q(resident_id__in=visits.filter(resident__isnull=False).values("resident_id"))
        q |= Q(resident_id__in=cases.filter(resident__isnull=False).values("resident_id"))
    else:
        q = Q(
            community_id__in=visits.filter(resident__community__isnull=False).values(
                "resident__community_id"
            )
        )
        q |= Q(
            community_id__in=visits.filter(service_point__community__isnull=False).values(
                "service_point__community_id"
            )
        )
        q |= Q(
            community_id__in=cases.filter(resident__community__isnull=False).values(
                "resident__community_id"
            )
        )
    return ExpressionWrapper(q, output_field=BooleanField())


STREET_OF_TARGET = {
    "enterprise": ("enterprise__street_id", "enterprise__street__name"),
    "household": ("resident__community__street_id", "resident__community__street__name"),
    "community": ("community__street_id", "community__street__name"),
}


@dataclass
class Progress:
    """How far a campaign is: its targets, those reached, and the breakdowns of its page."""

    campaign: Campaign
    total: int
    reached: int
    by_street: list = field(default_factory=list)
    by_partner: list = field(default_factory=list)
    by_assistant: list = field(default_factory=list)

    @property
    def percent(self):
        return round(100 * self.reached / self.total, 1) if self.total else None


def targets_with_reach(campaign: Campaign):
    """The campaign's targets, each annotated `reached` (True or False)."""
    return campaign.targets.annotate(reached=reached_expression(campaign))


def progress(campaign: Campaign, *, detail: bool = True) -> Progress:
    """The campaign's progress; with `detail`, by street, partner and assistant (3 more queries)."""
    targets = targets_with_reach(campaign)
    totals = targets.aggregate(total=Count("pk"), done=Count("pk", filter=Q(reached=True)))
    result = Progress(campaign, totals["total"], totals["done"])
    if not detail:
        return result
    street_id, street_name = STREET_OF_TARGET[campaign.target_kind]
    result.by_street = list(
        targets.values(street_id=F(street_id), street=F(street_name))
        .annotate(total=Count("pk"), done=Count("pk", filter=Q(reached=True)))
        .order_by("street")
    )
    # Who reached the targets: distinct targets per assistant and per partner, by visits logged
    # (a case's lead counts too through the case's own visits; opening alone names no worker).
    target_field = {"enterprise": "enterprise", "household": "resident", "community": None}[
        campaign.target_kind
    ]
    visits = _visits(campaign)
    if target_field:
        ids = campaign.targets.values(f"{target_field}_id")
        visits = visits.filter(**{f"{target_field}_id__in": ids})
        counted = f"{target_field}_id"
    else:
        ids = campaign.targets.values("community_id")
        visits = visits.filter(
            Q(resident__community_id__in=ids) | Q(service_point__community_id__in=ids)
        )
        counted = "resident__community_id"
    result.by_partner = list(
        visits.values("assistant__partner_id", "assistant__partner__short_name")
        .annotate(targets=Count(counted, distinct=True), visits=Count("pk"))
        .order_by("-targets", "assistant__partner__short_name")
    )
    result.by_assistant = list(
        visits.values("assistant_id", "assistant__name", "assistant__partner__short_name")
        .annotate(targets=Count(counted, distinct=True), visits=Count("pk"))
        .order_by("-targets", "assistant__name")[:50]
    )
    return result


def summaries(campaigns) -> list[Progress]:
    """Progress of several campaigns without the breakdowns: one query per campaign."""
    return [progress(campaign, detail=False) for campaign in campaigns]


# --- target lists: from a spreadsheet or by filter -----------------------------------------


@dataclass
class TargetImport:
    """What a target list would add: the matched rows and every bad row with its reason."""

    matched: list = field(default_factory=list)
    errors: list = field(default_factory=list)  # (row number, value, reason)
    duplicates: int = 0

    @property
    def ok(self):
        return not self.errors and bool(self.matched)


def read_rows(upload) -> list[str]:
    """The first column's cells (or the column with a known header) of an .xlsx or .csv."""
    name = (upload.name or "").lower()
    if name.endswith(".xlsx"):
        from openpyxl import load_workbook

        try:
            book = load_workbook(upload, read_only=True, data_only=True)
        except Exception as exc:  # openpyxl raises several kinds for a file that is not xlsx
            raise ValidationError(_("This file is not a readable .xlsx workbook.")) from exc
        sheet = book.worksheets[0]
        table = [[cell_text(value) for value in row] for row in sheet.iter_rows(values_only=True)]
        book.close()
    elif name.endswith(".csv"):
        dataset = RosterCSV().create_dataset(upload.read(), headers=False)
        table = [[cell_text(value) for value in row] for row in dataset]
    else:
        raise ValidationError(_("Upload an .xlsx or .csv file."))
    return table


def match_targets(campaign: Campaign, table: list[list[str]]) -> TargetImport:
    """Match each row of a target list to an enterprise, household or community."""
    result = TargetImport()
    if not table:
        result.errors.append((1, "", _("The file is empty.")))
        return result
    kind = campaign.target_kind
    header = [normalize_header(cell) for cell in table[0]]
    column = next((i for i, h in enumerate(header) if h in TARGET_HEADERS[kind]), None)
    start = 2
    if column is None:
        # No known header: the first column holds the values, from the first row on.
        column, start, body = 0, 1, table
    else:
        body = table[1:]
    values = [
        (number, row[column] if column < len(row) else "")
        for number, row in enumerate(body, start=start)
    ]
    wanted = {value for _number, value in values if value}
    if kind == "enterprise":
        known = dict(
            Enterprise.objects.filter(credit_code__in={v.upper() for v in wanted}).values_list(
                "credit_code", "pk"
            )
        )
        lookup = lambda v: known.get(v.upper())  # noqa: E731
        unknown = _("No enterprise has this credit code.")
    elif kind == "household":
        known = dict(Resident.objects.filter(phone__in=wanted).values_list("phone", "pk"))
        lookup = known.get
        unknown = _("No household has this phone number.")
    else:
        names = {}
        for pk, name, street in Community.objects.values_list("pk", "name", "street__name"):
            names.setdefault(name, []).append(pk)
            names.setdefault(f"{street}{name}", []).append(pk)
        lookup = lambda v: names[v][0] if len(names.get(v, ())) == 1 else None  # noqa: E731
        unknown = _("No single community has this name (write the street before it if two do).")
    already = set(campaign.targets.values_list(f"{CampaignTarget_field(kind)}_id", flat=True))
    seen = set()
    for number, value in values:
        if not value:
            continue
        pk = lookup(value)
        if pk is None:
            result.errors.append((number, value, unknown))
        elif pk in seen or pk in already:
            result.duplicates += 1
        else:
            seen.add(pk)
            result.matched.append(pk)
    if not values or (not result.matched and not result.errors and not result.duplicates):
        result.errors.append((start, "", _("The file has no rows.")))
    return result


def CampaignTarget_field(kind: str) -> str:
    return {"enterprise": "enterprise", "household": "resident", "community": "community"}[kind]


@transaction.atomic
def add_targets(*, campaign: Campaign, ids) -> int:
    """Add targets by primary key of the campaign's kind; ones already listed are skipped."""
    field_name = CampaignTarget_field(campaign.target_kind)
    created = CampaignTarget.objects.bulk_create(
        [CampaignTarget(campaign=campaign, **{f"{field_name}_id": pk}) for pk in ids],
        ignore_conflicts=True,
        batch_size=2000,
    )
    return len(created)


def ids_by_filter(campaign: Campaign, *, street=None, industry: str = "") -> list[int]:
    """The enterprises, households or communities of a street (and an industry for enterprises)."""
    kind = campaign.target_kind
    if kind == "enterprise":
        rows = Enterprise.objects.all()
        if street:
            rows = rows.filter(street=street)
        if industry:
            rows = rows.filter(industry__icontains=industry)
    elif kind == "household":
        rows = Resident.objects.all()
        if street:
            rows = rows.filter(community__street=street)
    else:
        rows = Community.objects.all()
        if street:
            rows = rows.filter(street=street)
    return list(rows.values_list("pk", flat=True))
