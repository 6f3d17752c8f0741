"""A district staff member reading the admin in zh-hans meets no English label: the crawl
opens every page they may (index, each list, add, one change page, import, export) and reads
every label, column heading and title."""

import contextlib
import re
from html.parser import HTMLParser

import pytest
from django.contrib import admin
from django.test import RequestFactory
from django.urls import NoReverseMatch, reverse
from django.utils import translation

from tests.factories.roles import build_district

CJK = re.compile(r"[\u3400-\u9fff]")
# What may stand without a Chinese character: numbers, dates, codes and known abbreviations.
ALLOWED = re.compile(
    r"^[\d\s\W_]*$"  # numbers, dates, signs
    r"|^[A-Z]{1,3}-?\d[\w.-]*$"  # codes: C15, TJ-2026-000001
    r"|^(ID|URL|API|QR|SMS|IP|CSV|XLSX|HTTP|JSON|UUID)\b"
)
READ_TAGS = {"label", "th", "h1", "h2", "caption", "legend"}


class Labels(HTMLParser):
    """The text of every label, column heading, heading and legend on a page."""

    def __init__(self):
        super().__init__()
        self.open = []
        self.texts = []
        self.in_rows = 0
        self.previous = ""

    def handle_starttag(self, tag, attrs):
        if tag == "tbody":
            self.in_rows += 1
        # A row's own heading cell (the first column of a list) is data, not a label; so is the
        # subtitle right under a page's title (the record's name).
        is_data = (tag == "th" and self.in_rows) or (tag == "h2" and self.previous == "h1")
        if tag in READ_TAGS and not is_data:
            self.open.append([tag, ""])
        self.previous = tag

    def handle_endtag(self, tag):
        if tag == "tbody":
            self.in_rows -= 1
        if self.open and self.open[-1][0] == tag:
            _tag, text = self.open.pop()
            text = " ".join(text.split())
            if text:
                self.texts.append(text)

    def handle_data(self, data):
        for item in self.open:
            item[1] += data


def english_labels(html: str) -> list[str]:
    parser = Labels()
    parser.feed(html)
    return [t for t in parser.texts if not CJK.search(t) and not ALLOWED.match(t)]


def pages_of(request):
    """Every admin page the user may open: lists, add forms, a change page, import, export."""
    yield reverse("admin:index")
    for app in admin.site.get_app_list(request):
        yield app["app_url"]
        for entry in app["models"]:
            model = entry["model"]
            prefix = f"admin:{model._meta.app_label}_{model._meta.model_name}"
            if entry.get("admin_url"):
                yield entry["admin_url"]
            if entry.get("add_url"):
                yield entry["add_url"]
            model_admin = admin.site.get_model_admin(model)
            first = model_admin.get_queryset(request).order_by("pk").first()
            if first is not None:
                yield reverse(f"{prefix}_change", args=[first.pk])
            for page in ("import", "export"):
                with contextlib.suppress(NoReverseMatch):
                    yield reverse(f"{prefix}_{page}")


@pytest.mark.django_db
def test_a_district_staff_member_reads_no_english_label_in_the_zh_hans_admin(client):
    district = build_district()
    staff = district.users["staff"]
    client.force_login(staff)
    client.cookies["django_language"] = "zh-hans"
    request = RequestFactory().get("/admin/")
    request.user = staff

    found = {}
    opened = 0
    for url in pages_of(request):
        response = client.get(url, HTTP_ACCEPT_LANGUAGE="zh-hans")
        assert response.status_code == 200, (url, response.status_code)
        opened += 1
        for label in english_labels(response.content.decode()):
            found.setdefault(label, url)
    assert opened > 50
    # Each English label with the first page it was read on.
    assert found == {}, "\n".join(f"{label!r} on {url}" for label, url in found.items())


def test_the_crawl_notices_an_english_label():
    html = "<table><tr><th>名称</th><th>2026</th><th>Created at</th></tr></table>"
    assert english_labels(html) == ["Created at"]


def test_the_stock_null_message_reads_as_chinese_without_null():
    with translation.override("zh-hans"):
        message = translation.gettext("This field cannot be null.")

    assert "null" not in message
    assert CJK.search(message)
