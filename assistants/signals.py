"""What the assistants app tells the apps above it, which subscribe in their AppConfig.ready()."""

from django.dispatch import Signal

# Staff withdrew assistants or ended a dispatch in the admin: their open work needs a new owner.
# Sent with `model_admin`, `request` and `assistants`; the cases app lists the open cases.
postings_ended = Signal()
