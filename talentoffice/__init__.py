"""TalentOffice project package: settings, URLs, the Celery app and what crosses apps."""

from .celery import app as celery_app

__all__ = ("celery_app",)
