"""Roster import in the admin: preview first, all or nothing, twice is once, Chinese errors."""

import io

import openpyxl
import pytest
from django.urls import reverse
from django.utils import translation

from assistants.models import Assistant
from cases.models import Enterprise
from partners.models import Partner
from tests import factories

CSV_FORMAT = "1"  # the admin offers XLSX first, then CSV
XLSX_FORMAT = "0"


def csv_upload(text: str, name="roster.csv", encoding="utf-8-sig"):
    upload = io.BytesIO(text.encode(encoding))
    upload.name = name
    return upload


def xlsx_upload(rows, name="roster.xlsx"):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    # Excel keeps formatted rows after the data; they must not count as bad rows.
    sheet.append([None] * len(rows[0]))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    buffer.name = name
    return buffer


def preview(client, model_url, upload, file_format=CSV_FORMAT):
    return client.post(
        reverse(f"admin:{model_url}_import"), {"import_file": upload, "format": file_format}
    )


def confirm(client, model_url, preview_response):
    form = preview_response.context["confirm_form"]
    return client.post(reverse(f"admin:{model_url}_process_import"), form.initial)


def partner_csv(*rows):
    header = "机构名称,简称,领域,机构类型,统一社会信用代码,地址\n"
    return header + "".join(",".join(row) + "\n" for row in rows)


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    return client


def test_the_preview_shows_the_rows_and_saves_nothing(staff_client):
    code = factories.make_credit_code()
    upload = csv_upload(partner_csv(["福州农商银行", "农商银行", "金融", "银行", code, "台江区"]))
    response = preview(staff_client, "partners_partner", upload)
    assert response.status_code == 200
    assert response.context["confirm_form"] is not None
    assert "福州农商银行" in response.content.decode()
    assert not Partner.objects.exists()


def test_confirming_the_preview_saves_the_rows(staff_client):
    codes = [factories.make_credit_code() for _ in range(2)]
    upload = csv_upload(
        partner_csv(
            ["福州农商银行", "农商银行", "金融", "银行", codes[0], "台江区"],
            ["国浩律师事务所(福州)", "国浩律所", "法务", "律师事务所", codes[1].lower(), ""],
        )
    )
    confirm(staff_client, "partners_partner", preview(staff_client, "partners_partner", upload))
    law_firm = Partner.objects.get(short_name="国浩律所")
    assert law_firm.sector == "legal"
    assert law_firm.kind == "law_firm"
    assert law_firm.credit_code == codes[1]  # stored upper-case, as the code is defined
    assert Partner.objects.count() == 2


def test_a_file_with_one_bad_row_is_refused_whole_with_the_row_and_reason_in_chinese(staff_client):
    good = factories.make_credit_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    upload = csv_upload(
        partner_csv(
            ["福州农商银行", "农商银行", "金融", "银行", good, ""],
            ["兴业银行福州分行", "兴业银行", "金融", "银行", bad, ""],
        )
    )
    response = preview(staff_client, "partners_partner", upload)
    page = response.content.decode()
    assert response.context.get("confirm_form") is None
    assert "校验" in page  # the check-character message, in Chinese
    # The bad row is the second data row; the preview names it.
    invalid_rows = response.context["result"].invalid_rows
    assert [row.number for row in invalid_rows] == [2]
    assert not Partner.objects.exists()


def test_the_same_file_imported_twice_creates_nothing_new(staff_client):
    code = factories.make_credit_code()
    text = partner_csv(["福州农商银行", "农商银行", "金融", "银行", code, "台江区"])
    for _ in range(2):
        upload = csv_upload(text)
        confirm(staff_client, "partners_partner", preview(staff_client, "partners_partner", upload))
    assert Partner.objects.count() == 1


def test_a_reimport_with_a_changed_address_updates_the_partner(staff_client):
    partner = factories.make_partner(name="福州农商银行", short_name="农商银行")
    upload = csv_upload(
        partner_csv(["福州农商银行", "农商银行", "金融", "银行", partner.credit_code, "新地址"])
    )
    confirm(staff_client, "partners_partner", preview(staff_client, "partners_partner", upload))
    partner.refresh_from_db()
    assert partner.address == "新地址"
    assert Partner.objects.count() == 1


def test_a_gbk_csv_saved_by_chinese_excel_is_read(staff_client):
    code = factories.make_credit_code()
    upload = csv_upload(
        partner_csv(["福州农商银行", "农商银行", "金融", "银行", code, "台江区"]), encoding="gbk"
    )
    confirm(staff_client, "partners_partner", preview(staff_client, "partners_partner", upload))
    assert Partner.objects.get().name == "福州农商银行"


def test_assistants_import_from_excel_with_numeric_phones_and_are_matched_again(staff_client):
    partner = factories.make_partner(
        name="福建纵然律师事务所", short_name="纵然律所", sector="legal", kind="law_firm"
    )
    licence = factories.make_licence_number()
    rows = [
        ["姓名", "合作机构", "专业领域", "职务", "手机号码", "执业证号", "党员", "专长标签"],
        ["林鑫", "纵然律所", "法务", "律师", 13912345678, licence, "是", "征迁、租赁纠纷"],
    ]
    with translation.override("zh-hans"):
        for _ in range(2):
            response = preview(staff_client, "assistants_assistant", xlsx_upload(rows), XLSX_FORMAT)
            confirm(staff_client, "assistants_assistant", response)
    assistant = Assistant.objects.get()
    assert assistant.partner == partner
    assert assistant.phone == "13912345678"
    assert assistant.party_member is True
    assert sorted(assistant.skills.values_list("name", flat=True)) == ["征迁", "租赁纠纷"]


def test_an_assistant_whose_specialty_does_not_fit_the_partner_is_reported(staff_client):
    factories.make_partner(name="兴业银行", short_name="兴业")
    rows = [
        ["name", "partner", "specialty", "phone"],
        ["王五", "兴业", "legal", "13912345678"],
        ["赵六", "不存在的机构", "finance", "13912345679"],
    ]
    response = preview(staff_client, "assistants_assistant", xlsx_upload(rows), XLSX_FORMAT)
    invalid = {row.number: row.error_dict for row in response.context["result"].invalid_rows}
    assert set(invalid) == {1, 2}
    assert "specialty" in invalid[1]
    assert "partner" in invalid[2]
    assert not Assistant.objects.exists()


def test_enterprises_are_matched_by_credit_code_on_reimport(staff_client):
    street = factories.make_street(name="瀛洲街道")
    code = factories.make_credit_code()
    text = (
        "name,credit_code,street,contact_phone\n"
        f"福州某某贸易有限公司,{code},瀛洲街道,0591-87654321\n"
    )
    for _ in range(2):
        confirm(
            staff_client,
            "cases_enterprise",
            preview(staff_client, "cases_enterprise", csv_upload(text)),
        )
    enterprise = Enterprise.objects.get()
    assert enterprise.street == street
    assert enterprise.contact_phone == "059187654321"


def test_service_points_import_with_the_community_found_in_its_street(staff_client):
    street = factories.make_street(name="后洲街道")
    other_street = factories.make_street(name="义洲街道")
    factories.make_community(street=other_street, name="大庙山社区")
    community = factories.make_community(street=street, name="大庙山社区")
    text = (
        "名称,类型,街道,社区,地址,营业时间\n"
        "大庙山社区人才助理服务点,社区服务点,后洲街道,大庙山社区,后洲路1号,周一至周五 9:00-17:00\n"
    )
    confirm(
        staff_client,
        "assistants_servicepoint",
        preview(staff_client, "assistants_servicepoint", csv_upload(text)),
    )
    from assistants.models import ServicePoint

    point = ServicePoint.objects.get()
    assert point.community == community
    assert point.kind == "community_point"


def test_staff_without_the_add_permission_cannot_import(client, limited_staff_user):
    client.force_login(limited_staff_user)
    response = client.get(reverse("admin:partners_partner_import"))
    assert response.status_code == 403


def test_the_export_of_a_filtered_list_escapes_formulae(staff_client):
    factories.make_partner(name='=HYPERLINK("http://x")银行', short_name="公式银行")
    factories.make_partner(name="海峡银行", short_name="海峡", status="suspended")
    response = staff_client.post(
        reverse("admin:partners_partner_export") + "?status__exact=active",
        {
            "format": CSV_FORMAT,
            "resource": "0",
            **{
                f"partnerresource_{f}": "on"
                for f in [
                    "name",
                    "short_name",
                    "sector",
                    "kind",
                    "credit_code",
                    "address",
                    "status",
                ]
            },
        },
    )
    assert response.status_code == 200
    text = response.getvalue().decode("utf-8-sig")
    assert "'=HYPERLINK" in text
    assert "海峡银行" not in text  # the filter applied to the list applies to its export
    assert text.splitlines()[0].startswith("名称")
