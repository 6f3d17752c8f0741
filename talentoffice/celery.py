"""The Celery application shared by the web processes, workers and the one beat."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentoffice.settings")

app = Celery("talentoffice")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
