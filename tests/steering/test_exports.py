"""Excel exports: every row, real cells, formula-like text made inert."""

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from steering.exports import XlsxWriter, inert
from steering.figures import Filters, Period, Sources, compute_figures, rows

from .conftest import QUARTER


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def _workbook(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith(
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    return load_workbook(io.BytesIO(b"".join(response.streaming_content)), read_only=True)


def test_a_figure_export_holds_every_row_of_its_list(staff_client, district, quarter):
    url = reverse("steering:figure_export", args=["enterprises_reached"])
    response = staff_client.get(
        url, {"start": "2026-04-01", "end": "2026-06-30"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    sheet = _workbook(response).worksheets[0]
    table = [list(row) for row in sheet.iter_rows(values_only=True)]
    assert table[0] == ["name", "unified social credit code", "street", "industry"]
    expected = rows("enterprises_reached", quarter, Sources()).order_by("name", "pk")
    assert [row[1] for row in table[1:]] == [e.credit_code for e in expected]
    assert len(table) - 1 == compute_figures(quarter, Sources())["enterprises_reached"].value


def test_formula_like_cells_are_exported_as_text(staff_client, district):
    url = reverse("steering:figure_export", args=["enterprises_reached"])
    response = staff_client.get(url, {"start": "2026-01-01", "end": "2026-06-30"})
    names = [row[0] for row in _workbook(response).worksheets[0].iter_rows(values_only=True)]
    assert '\'=HYPERLINK("x")科技有限公司' in names
    assert not any(isinstance(name, str) and name.startswith("=") for name in names)


def test_households_are_masked_in_the_export(staff_client, district):
    url = reverse("steering:figure_export", args=["households_reached"])
    response = staff_client.get(url, {"start": "2026-01-01", "end": "2026-06-30"})
    table = list(_workbook(response).worksheets[0].iter_rows(values_only=True))[1:]
    assert table
    for name, phone, *_rest in table:
        assert "*" in name and "****" in phone


def test_the_monthly_report_exports_its_figures_and_categories(staff_client, district):
    response = staff_client.get(
        reverse("steering:report_export"), {"month": "2026-05"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    book = _workbook(response)
    figures = {row[0]: row[1:] for row in book.worksheets[0].iter_rows(values_only=True)}
    may = compute_figures(
        Filters(Period(QUARTER.start.replace(month=5), QUARTER.start.replace(month=5, day=31))),
        Sources(),
    )
    assert figures["Cases opened"][0] == may["cases_opened"].value
    assert figures["Cases opened"][1] == may["cases_opened"].previous
    categories = list(book.worksheets[1].iter_rows(values_only=True))
    assert categories[0] == ("category", "opened", "resolved")
    assert sum(row[1] for row in categories[1:]) == may["cases_opened"].value


def test_a_bad_month_is_explained(staff_client, district):
    response = staff_client.get(
        reverse("steering:report"), {"month": "2026-13"}, HTTP_ACCEPT_LANGUAGE="en"
    )
    assert response.status_code == 200
    assert "Write the month as YYYY-MM." in response.content.decode()
    response = staff_client.get(reverse("steering:report_export"), {"month": "May"})
    assert response.status_code == 302


def test_the_writer_streams_many_rows_without_a_cap(db):
    writer = XlsxWriter()
    sheet = writer.sheet("big", ["n", "text"])
    for n in range(70_000):
        writer.append(sheet, [n, "-1" if n == 5 else f"row {n}"])
    response = writer.response("big.xlsx")
    content = b"".join(response.streaming_content)
    response.close()  # as the server does after the last block; it removes the temporary file
    book = load_workbook(io.BytesIO(content), read_only=True)
    table = list(book.worksheets[0].iter_rows(values_only=True))
    assert len(table) == 70_001
    assert table[6] == (5, "'-1")
    assert inert("@SUM(A1)") == "'@SUM(A1)" and inert(5) == 5


def test_case_titles_reach_the_staff_list_and_its_export_scrubbed(staff_client, district):
    from cases.models import Case

    Case.objects.update(title="请回电13912345678，身份证350102199003071234")
    params = {"start": "2026-01-01", "end": "2026-06-30"}
    page = staff_client.get(reverse("steering:figure_list", args=["cases_opened"]), params)
    export = staff_client.get(reverse("steering:figure_export", args=["cases_opened"]), params)
    titles = [row[1] for row in _workbook(export).worksheets[0].iter_rows(values_only=True)][1:]

    assert "139****5678" in page.content.decode()
    assert "13912345678" not in page.content.decode()
    assert titles and all("139****5678" in title for title in titles)
    assert not any("13912345678" in title or "1990030712" in title for title in titles)
