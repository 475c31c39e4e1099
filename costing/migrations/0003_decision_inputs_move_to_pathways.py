# DecisionInputs and SetupCost belong to the cost models they describe, so they
# moved to pathways (pathways/0006). This forgets them here without touching the
# database: their tables and rows are taken over by pathways/0006, which renames them.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("costing", "0002_decision_inputs_setup_cost"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.DeleteModel(name="SetupCost"),
                migrations.DeleteModel(name="DecisionInputs"),
            ],
            database_operations=[],
        ),
    ]
