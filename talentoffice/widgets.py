"""Form widgets every surface shares."""

from django import forms

ISO_DATE = "%Y-%m-%d"


class ISODateInput(forms.DateInput):
    """A browser date picker. `<input type=date>` reads and sends only YYYY-MM-DD, whatever the
    page's language; given the language's own format (2027/01/01 in zh-hans) it shows a blank
    field and the form cannot be sent."""

    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)
