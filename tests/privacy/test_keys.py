"""Production refuses to start without the keys that protect residents' ID numbers."""

import pytest

from tests.test_settings import PRODUCTION, run


@pytest.mark.parametrize("missing", ["PERSONAL_DATA_KEYS", "PERSONAL_DATA_HASH_KEY"])
def test_production_without_a_personal_data_key_refuses_to_start(missing):
    env = {name: value for name, value in PRODUCTION.items() if name != missing}

    result = run(["-c", "import django; django.setup()"], **env)

    assert result.returncode != 0
    assert missing in result.stderr


def test_development_derives_working_keys_from_the_secret_key():
    result = run(
        [
            "-c",
            "import django; django.setup(); from talentoffice import crypto; "
            "print(crypto.decrypt(crypto.encrypt('11010519491231002X')))",
        ]
    )

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().endswith("11010519491231002X")
