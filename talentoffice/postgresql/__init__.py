"""Django's PostgreSQL backend as this project uses it (settings.DATABASES' ENGINE); see base."""
