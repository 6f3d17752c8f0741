"""Import that staff can use: their own words for a value, and bad files answered clearly."""

import io

import pytest

from assistants.models import Dispatch
from partners.models import Partner
from talentoffice.importing import CHOICE_SYNONYMS, ChoicesWidget
from tests import factories
from tests.test_import import confirm, csv_upload, partner_csv, preview


@pytest.fixture
def staff_client(client, staff_user):
    client.force_login(staff_user)
    client.cookies["django_language"] = "zh-hans"
    return client


def test_a_roster_saying_falv_and_lvsuo_imports_as_legal_and_law_firm(staff_client):
    code = factories.make_credit_code()
    upload = csv_upload(partner_csv(["福建某某律师事务所", "某某律所", "法律", "律所", code, ""]))

    confirm(staff_client, "partners_partner", preview(staff_client, "partners_partner", upload))

    partner = Partner.objects.get(credit_code=code)
    assert (partner.sector, partner.kind) == ("legal", "law_firm")


def test_a_synonym_of_one_field_means_nothing_in_another():
    sector = ChoicesWidget([("finance", "金融"), ("legal", "法务")], CHOICE_SYNONYMS["sector"])
    status = ChoicesWidget([("active", "有效")], CHOICE_SYNONYMS["status"])

    assert sector.clean("法律") == "legal"
    assert status.clean("正常") == "active"
    with pytest.raises(ValueError):
        sector.clean("正常")


@pytest.mark.parametrize(
    "content",
    [
        "机构名称,简称\n".encode("gb18030") + "福州农商银行,农商银行\n".encode("gb18030"),
        b"\xef\xbb\xbf\xe6\x9c\xba\xe6\x9e\x84\xe5\x90\x8d\xe7\xa7\xb0,,\n,,\n",
        b"\x00\x01\x02not a csv at all\xff\xfe",
    ],
    ids=["gb18030-missing-columns", "bom-empty-header-cells", "binary"],
)
def test_a_broken_roster_gets_a_clear_answer_never_a_server_error(staff_client, content):

    upload = io.BytesIO(content)
    upload.name = "roster.csv"

    response = preview(staff_client, "partners_partner", upload)

    assert response.status_code == 200
    assert response.context.get("confirm_form") is None
    assert not Partner.objects.exists()


def test_the_preview_shows_each_bad_rows_reasons_as_text_beside_it(staff_client):
    good = factories.make_credit_code()
    bad = good[:17] + ("0" if good[17] != "0" else "1")
    upload = csv_upload(partner_csv(["兴业银行福州分行", "兴业银行", "金融", "银行", bad, ""]))

    page = preview(staff_client, "partners_partner", upload).content.decode()

    # The stylesheet that keeps the reasons in view instead of on hover, and the reason itself
    # inside the row's error cell.
    assert "talentoffice/import.css" in page
    cell = page[page.index('class="validation-error-container"') :]
    assert "校验" in cell[: cell.index("</td>")]


def test_dispatches_import_by_phone_and_point_name_and_twice_is_once(staff_client):
    point = factories.make_service_point(name="茶亭社区服务点")
    assistant = factories.make_assistant(name="林博")
    text = f"人才助理,服务点,开始日期,结束日期\n{assistant.phone},茶亭社区服务点,2026-03-01,\n"

    for _ in range(2):
        response = preview(staff_client, "assistants_dispatch", csv_upload(text))
        assert response.context["confirm_form"] is not None
        confirm(staff_client, "assistants_dispatch", response)

    dispatch = Dispatch.objects.get()
    assert (dispatch.assistant, dispatch.service_point) == (assistant, point)
    assert dispatch.ends_on is None
