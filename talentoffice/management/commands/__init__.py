"""The project's own manage.py commands."""
