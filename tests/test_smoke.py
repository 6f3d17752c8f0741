from django.db import connection


def test_the_suite_runs_on_the_database_it_was_given(db):
    assert connection.vendor in {"postgresql", "sqlite"}
