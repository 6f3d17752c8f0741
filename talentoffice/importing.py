"""Spreadsheet import and export shared by every roster (django-import-export resources).

Staff keep rosters in Excel with Chinese headers, so a column may be named by the field, by
its Chinese label or by its English label. Choices and yes/no cells accept labels in either
language. Every bad cell becomes a ValueError that the import preview shows on its row.
"""

import re

import tablib
from django.db.models import BooleanField
from django.utils import translation
from django.utils.encoding import force_str
from django.utils.translation import gettext as _
from import_export import widgets
from import_export.formats.base_formats import CSV

from .exporting import ExportResource


class RosterCSV(CSV):
    """A CSV from Excel: UTF-8 (with or without BOM) or, as Chinese Windows saves it, GB18030."""

    def is_binary(self):
        # Read raw bytes so that the encoding can be told from the content, not assumed.
        return True

    def get_read_mode(self):
        return "rb"

    def create_dataset(self, in_stream, **kwargs):
        if isinstance(in_stream, bytes):
            try:
                in_stream = in_stream.decode("utf-8-sig")
            except UnicodeDecodeError:
                in_stream = in_stream.decode("gb18030")
        return tablib.import_set(in_stream, format="csv", **kwargs)


def normalize_header(label) -> str:
    return re.sub(r"[\s_\-（）()*:：]", "", force_str(label or "")).lower()


def cell_text(value) -> str:
    """Excel hands over phone numbers as numbers; turn every cell into the text a person typed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


class TextWidget(widgets.CharWidget):
    """Plain text that survives Excel turning digits into numbers."""

    def clean(self, value, row=None, **kwargs):
        return cell_text(value)


# Words rosters use for the same value as our labels, one table per field name: what staff
# write in their own sheets ("正常" where the programme says 有效, "法律" for 法务).
CHOICE_SYNONYMS: dict[str, dict[str, tuple[str, ...]]] = {
    "status": {
        "active": ("正常", "在岗", "在职", "启用", "合作中"),
        "suspended": ("暂停", "停用", "中止"),
        "on_leave": ("休假", "请假"),
        "withdrawn": ("撤回", "离岗", "已撤回", "退出"),
    },
    "sector": {"finance": ("金融类", "银行", "金融机构"), "legal": ("法律", "法律类", "律所")},
    "specialty": {"finance": ("金融类", "银行"), "legal": ("法律", "法律类", "律师")},
    "kind": {
        "bank": ("银行机构",),
        "insurer": ("保险", "保险公司"),
        "securities": ("证券", "证券公司"),
        "law_firm": ("律所", "律师所", "律师事务所"),
    },
}


class ChoicesWidget(widgets.Widget):
    """Accepts a choice by its stored value, its label in Chinese or English, or a synonym."""

    def __init__(self, choices, synonyms=None, **kwargs):
        self.choices = list(choices)
        self.synonyms = synonyms or {}
        super().__init__(**kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return ""
        wanted = normalize_header(text)
        for stored, label in self.choices:
            candidates = {normalize_header(stored)}
            candidates.update(normalize_header(word) for word in self.synonyms.get(stored, ()))
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    candidates.add(normalize_header(label))
            if wanted in candidates:
                return stored
        allowed = "、".join(force_str(label) for _stored, label in self.choices)
        raise ValueError(
            _("“%(value)s” is not one of: %(allowed)s.") % {"value": text, "allowed": allowed}
        )

    def render(self, value, obj=None, **kwargs):
        return force_str(dict(self.choices).get(value, value or ""))


class YesNoWidget(widgets.Widget):
    """A yes/no cell: 是/否, yes/no, true/false, 1/0; empty means no."""

    YES = {"是", "y", "yes", "true", "1", "√", "✓"}
    NO = {"否", "n", "no", "false", "0", ""}

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value).lower()
        if text in self.YES:
            return True
        if text in self.NO:
            return False
        raise ValueError(_("Write 是 or 否 (yes or no), not “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return _("yes") if value else _("no")


class LookupWidget(widgets.ForeignKeyWidget):
    """Finds a related record by any of several unique fields, e.g. a partner's name or code."""

    def __init__(self, model, lookup_fields, render_field=None, **kwargs):
        self.lookup_fields = lookup_fields
        super().__init__(model, field=render_field or lookup_fields[0], **kwargs)

    def clean(self, value, row=None, **kwargs):
        text = cell_text(value)
        if not text:
            return None
        queryset = self.get_queryset(value, row, **kwargs)
        for field in self.lookup_fields:
            match = queryset.filter(**{field: text}).first()
            if match is not None:
                return match
        raise ValueError(
            _("No %(model)s matches “%(value)s”.")
            % {"model": self.model._meta.verbose_name, "value": text}
        )


class NamesWidget(widgets.ManyToManyWidget):
    """A list of names separated by commas or 、; names not yet known are created."""

    def clean(self, value, row=None, **kwargs):
        names = [
            name.strip() for name in re.split(r"[,，、;；/]", cell_text(value)) if name.strip()
        ]
        return [self.model.objects.get_or_create(**{self.field: name})[0] for name in names]

    def render(self, value, obj=None, **kwargs):
        if value is None:
            return ""
        return "、".join(force_str(getattr(item, self.field)) for item in value.all())


class RosterResource(ExportResource):
    """Base for every roster resource: bilingual headers, choices and yes/no cells.

    Its exports follow talentoffice.exporting (formulas made inert, secrets left out, personal
    fields masked, rows streamed).
    """

    # Headers that rosters in the wild use for a column, beyond the field's own labels.
    extra_headers: dict[str, tuple[str, ...]] = {}

    @classmethod
    def field_from_django_field(cls, field_name, django_field, readonly):
        field = super().field_from_django_field(field_name, django_field, readonly)
        if getattr(django_field, "choices", None):
            field.widget = ChoicesWidget(
                django_field.choices, synonyms=CHOICE_SYNONYMS.get(field_name, {})
            )
        elif isinstance(django_field, BooleanField):
            field.widget = YesNoWidget()
        elif django_field.get_internal_type() == "CharField":
            field.widget = TextWidget()
        return field

    def _verbose_name(self, field):
        try:
            return self._meta.model._meta.get_field(field.attribute).verbose_name
        except Exception:  # a computed column has no model field behind it
            return None

    def header_labels(self, field) -> list[str]:
        """Every header a person might give this column: the code name and both labels."""
        labels = [field.column_name]
        verbose = self._verbose_name(field)
        if verbose:
            for language in ("zh-hans", "en"):
                with translation.override(language):
                    labels.append(force_str(verbose))
        labels.extend(self.extra_headers.get(field.column_name, ()))
        return labels

    def header_label(self, field) -> str:
        """The header an export shows: the field's label in the user's language."""
        verbose = self._verbose_name(field)
        return force_str(verbose) if verbose else field.column_name

    def before_import(self, dataset, **kwargs):
        aliases = {}
        for field in self.fields.values():
            for label in self.header_labels(field):
                aliases[normalize_header(label)] = field.column_name
        dataset.headers = [aliases.get(normalize_header(h), h) for h in dataset.headers or []]
        # Excel often keeps formatted but empty rows at the end; nobody meant them as rows.
        while len(dataset) and not any(cell_text(cell) for cell in dataset[len(dataset) - 1]):
            del dataset[len(dataset) - 1]
        super().before_import(dataset, **kwargs)

    def get_export_headers(self, selected_fields=None):
        return [self.header_label(field) for field in self.get_export_fields(selected_fields)]
