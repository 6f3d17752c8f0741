"""Labels the libraries show staff in the admin but their own zh-hans catalogues leave in
English. Marked here so that `make messages` keeps them in the programme's catalogue, which
Django reads before the libraries' (LOCALE_PATHS come first)."""

from django.utils.translation import gettext_noop

LIBRARY_LABELS = [
    # Django admin: the hidden column headings of the app list, read out by screen readers.
    gettext_noop("Model name"),
    gettext_noop("Add link"),
    gettext_noop("Change or view list link"),
    # django-import-export: the export page's resource choice and its "all columns" box.
    gettext_noop("Resource"),
    gettext_noop("Select all"),
    # Django's model field messages whose stock translation leaves "null" in English.
    gettext_noop("This field cannot be null."),
]
