"""System checks for where personal data and uploads are kept."""

from pathlib import Path

from django.conf import settings
from django.core.checks import Error, register


@register()
def check_media_root_is_private(app_configs, **kwargs):
    """Uploads are served only through scoped views: MEDIA_ROOT must not be a static folder."""
    media = Path(settings.MEDIA_ROOT).resolve()
    published = [Path(settings.STATIC_ROOT).resolve()] if settings.STATIC_ROOT else []
    published += [Path(folder).resolve() for folder in settings.STATICFILES_DIRS]
    for folder in published:
        if media == folder or folder in media.parents or media in folder.parents:
            return [
                Error(
                    "MEDIA_ROOT overlaps a folder whose files are published as static files.",
                    hint=f"Keep uploads outside {folder}; they are served by scoped views only.",
                    id="cases.E001",
                )
            ]
    return []
