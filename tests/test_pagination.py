"""Admin lists of big tables page without an exact COUNT(*)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from cases.models import Resident
from talentoffice.pagination import EstimatedCountPaginator, planner_row_estimate
from tests import factories


def analyze(table):
    with connection.cursor() as cursor:
        cursor.execute(f"ANALYZE {table}")


PLANNER = "PostgreSQL's planner estimate (EXPLAIN); SQLite has none, and counts exactly"


@pytest.mark.postgresql_only(reason=PLANNER)
def test_a_big_table_is_paged_on_the_planner_estimate_without_counting(
    client, staff_user, settings
):
    settings.ESTIMATED_COUNT_THRESHOLD = 20
    Resident.objects.bulk_create(
        Resident(name=f"居民{n}", phone=f"1390000{n:04d}") for n in range(120)
    )
    analyze("cases_resident")
    client.force_login(staff_user)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("admin:cases_resident_changelist"))
    assert response.status_code == 200
    statements = [q["sql"].upper() for q in queries]
    assert not any("COUNT(" in sql for sql in statements), statements
    assert any(sql.startswith("EXPLAIN") for sql in statements)
    # The estimate is close to the truth on an analyzed table.
    assert 100 <= response.context["cl"].result_count <= 140


def test_a_small_result_is_counted_exactly(db, settings):
    settings.ESTIMATED_COUNT_THRESHOLD = 1000
    for _ in range(3):
        factories.make_resident()
    paginator = EstimatedCountPaginator(Resident.objects.order_by("pk"), 2)
    assert paginator.count == 3
    assert paginator.num_pages == 2


@pytest.mark.postgresql_only(reason=PLANNER)
def test_the_planner_estimate_follows_a_filter(db):
    Resident.objects.bulk_create(
        Resident(name=f"居民{n}", phone=f"1390000{n:04d}") for n in range(200)
    )
    analyze("cases_resident")
    everyone = planner_row_estimate(Resident.objects.all())
    few = planner_row_estimate(Resident.objects.filter(phone="13900000001"))
    assert everyone >= 150
    assert few <= 5
