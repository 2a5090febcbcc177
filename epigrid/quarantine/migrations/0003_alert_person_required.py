"""Every alert now has its person and grid (filled by 0002): both become required."""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("quarantine", "0002_alert_person_origin"),
    ]

    operations = [
        migrations.AlterField(
            model_name="alert",
            name="jurisdiction",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="geo.jurisdiction",
                verbose_name="grid",
            ),
        ),
        migrations.AlterField(
            model_name="alert",
            name="person",
            field=models.ForeignKey(
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="registry.person",
                verbose_name="person",
            ),
        ),
    ]
