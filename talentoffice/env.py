"""Typed readers of the environment for the settings: a typo stops the start with its name."""

import os
from datetime import time

from django.core.exceptions import ImproperlyConfigured


def env_str(name: str, default: str = "") -> str:
    """Return the variable as a stripped string, or the default when unset or blank."""
    value = os.environ.get(name, "").strip()
    return value or default


def env_bool(name: str, default: bool = False) -> bool:
    """Return the variable as a boolean; anything but a clear yes/no is a configuration error."""
    value = env_str(name).lower()
    if not value:
        return default
    if value in {"1", "true", "yes", "on"}:
        return True
    if value in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be true or false, not {value!r}")


def env_int(name: str, default: int) -> int:
    """Return the variable as an integer, failing loudly on a typo."""
    value = env_str(name)
    if not value:
        return default
    try:
        return int(value)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be a whole number, not {value!r}") from None


def env_list(name: str, default: list[str] | None = None) -> list[str]:
    """Return a comma-separated variable as a list of non-empty items."""
    value = env_str(name)
    if not value:
        return list(default or [])
    return [item.strip() for item in value.split(",") if item.strip()]


def env_hours(name: str, default: str) -> tuple[time, time]:
    """Return a local opening and closing time written as 09:00-17:00."""
    value = env_str(name, default)
    try:
        opens, closes = (time.fromisoformat(part.strip()) for part in value.split("-"))
    except ValueError:
        raise ImproperlyConfigured(f"{name} must look like 09:00-17:00, not {value!r}") from None
    if opens >= closes:
        raise ImproperlyConfigured(f"{name} must open before it closes")
    return opens, closes
