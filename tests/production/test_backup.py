"""Backup and restore as README's procedure does it: pg_dump of the live database in the custom
format, pg_restore into a fresh database, and every record is there."""

import io
import subprocess

import psycopg
import pytest
from django.core.management import call_command
from django.db import connection

from tests.production.conftest import PG_BIN, database_url_of_test_database


def row_counts(url: str) -> dict[str, int]:
    """Rows per table of the public schema, and the next value of every sequence."""
    with psycopg.connect(url, autocommit=True) as conn:
        tables = [
            name
            for (name,) in conn.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename"
            )
        ]
        counts = {
            table: conn.execute(f'SELECT count(*) FROM "{table}"').fetchone()[0] for table in tables
        }
        sequences = {
            f"sequence {name}": value
            for name, value in conn.execute(
                "SELECT sequencename, last_value FROM pg_sequences WHERE schemaname = 'public'"
            )
        }
    return counts | sequences


@pytest.fixture
def restore_url(transactional_db):
    """A fresh, empty database beside the test database, dropped afterwards."""
    name = f"{connection.settings_dict['NAME']}_restored"
    admin_url = database_url_of_test_database().rsplit("/", 1)[0] + "/postgres"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')
    yield admin_url.rsplit("/", 1)[0] + f"/{name}"
    with psycopg.connect(admin_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def test_a_dump_restored_into_a_fresh_database_has_every_record(restore_url, tmp_path):
    call_command("seed_demo", "--seed", "7", stdout=io.StringIO())
    source = database_url_of_test_database()
    dump = tmp_path / "talentoffice.dump"

    subprocess.run(
        [str(PG_BIN / "pg_dump"), "--format=custom", "--no-owner", f"--file={dump}", source],
        check=True,
        timeout=300,
    )
    subprocess.run(
        [str(PG_BIN / "pg_restore"), "--no-owner", "--exit-on-error", "--jobs=2",
         f"--dbname={restore_url}", str(dump)],
        check=True,
        timeout=300,
    )  # fmt: skip

    before, after = row_counts(source), row_counts(restore_url)
    assert after == before
    # The seeded district really is in it, not just empty tables.
    assert before["partners_partner"] == 44
    assert before["cases_case"] > 1000
    assert sum(n for table, n in before.items() if not table.startswith("sequence")) > 20_000
