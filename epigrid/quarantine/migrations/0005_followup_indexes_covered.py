"""Three single-column indexes that composite ones already cover (followup_case_time,
followup_path_time, slot_once and slot_case_deadline lead with the same column): every
follow-up wrote them for nothing. Dropped by name on both databases, so SQLite does not
rebuild the tables of a city's follow-ups to do it."""

import django.db.models.deletion
from django.db import migrations, models

DROPPED = (
    "quarantine_followup_case_id_2d61bd51",
    "quarantine_followup_jpath_55f2d9a2",
    "quarantine_followupslot_case_id_5019419a",
)
# The same names as the initial migration created them (Django's names depend only on the
# table and the column).
RESTORED = (
    'CREATE INDEX "quarantine_followup_case_id_2d61bd51" ON "quarantine_followup" ("case_id")',
    'CREATE INDEX "quarantine_followup_jpath_55f2d9a2" ON "quarantine_followup" ("jpath")',
    'CREATE INDEX "quarantine_followupslot_case_id_5019419a" '
    'ON "quarantine_followupslot" ("case_id")',
)


class Migration(migrations.Migration):
    dependencies = [
        ("quarantine", "0004_alter_alert_trigger"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.AlterField(
                    model_name="followup",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        related_name="followups",
                        to="quarantine.observationcase",
                    ),
                ),
                migrations.AlterField(
                    model_name="followup",
                    name="jpath",
                    field=models.CharField(editable=False, max_length=80),
                ),
                migrations.AlterField(
                    model_name="followupslot",
                    name="case",
                    field=models.ForeignKey(
                        db_index=False,
                        on_delete=django.db.models.deletion.CASCADE,
                        related_name="slots",
                        to="quarantine.observationcase",
                    ),
                ),
            ],
            database_operations=[
                migrations.RunSQL(f'DROP INDEX IF EXISTS "{name}"', reverse_sql=restore)
                for name, restore in zip(DROPPED, RESTORED, strict=True)
            ],
        ),
    ]
