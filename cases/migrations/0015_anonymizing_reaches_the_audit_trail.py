"""Retention may rewrite a resident's name and phone inside the append-only audit trail.

Anonymizing a resident must reach every copy of their name and phone, the audit entries
included (cases.privacy.anonymize_resident). The append-only trigger of migration 0008 lets an
UPDATE through only while the transaction has set `talentoffice.anonymizing` (SET LOCAL, gone at
commit); DELETE stays refused whatever is set.
"""

from django.db import migrations

from talentoffice.migration_utils import append_only_function, run_sql_per_vendor

FUNCTION = append_only_function(anonymizing_may_update=True)
PREVIOUS = append_only_function(anonymizing_may_update=False)


class Migration(migrations.Migration):
    dependencies = [("cases", "0014_personal_data_search_and_duplicates")]

    operations = [run_sql_per_vendor({"postgresql": [FUNCTION]}, {"postgresql": [PREVIOUS]})]
