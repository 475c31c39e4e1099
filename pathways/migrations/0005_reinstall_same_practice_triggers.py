"""Once installed the SQLite same-practice triggers again after 0004 (see 0003).
Every `migrate` now does it by itself, after its last migration
(pathways/db_triggers.py); this migration stays because later ones may depend on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0004_pathway_version_historicalcohort_and_more"),
        ("practices", "0003_staffrole_version_historicalstaffrole"),
    ]

    operations = []
