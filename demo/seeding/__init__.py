"""Builds the demo district that `manage.py seed_demo` writes, one module per part of it."""
