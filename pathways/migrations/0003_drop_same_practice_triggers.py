"""Once dropped the SQLite same-practice triggers before 0004 rebuilt the tables
they name, and 0005 installed them again. Every `migrate` now does both by itself
(pathways/db_triggers.py), so this migration has nothing left to do; it stays
because later migrations depend on it.
"""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("pathways", "0002_same_practice_constraints"),
        ("practices", "0002_invitation"),
    ]

    operations = []
