from django.db import migrations

# The key-person taxonomy a deployment starts with; headquarters may add its own.
DEFAULTS = [
    ("source_area", "涉疫源地人员", "来自或途经疫情源地的人员"),
    ("close_contact", "密切接触者", "与确诊或疑似病例有密切接触的人员"),
    ("fever", "发热人员", "体温达到发热标准或有相关症状的人员"),
    ("key_migrant", "重点外来务工人员", "来自疫源地、在辖区企业务工的人员"),
]


def create(apps, schema_editor):
    PersonCategory = apps.get_model("registry", "PersonCategory")
    for code, name, description in DEFAULTS:
        PersonCategory.objects.get_or_create(
            code=code, defaults={"name": name, "description": description}
        )


def remove(apps, schema_editor):
    apps.get_model("registry", "PersonCategory").objects.filter(
        code__in=[code for code, _n, _d in DEFAULTS]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("registry", "0001_initial")]
    operations = [migrations.RunPython(create, remove)]
