from django.db import migrations


def install(apps, schema_editor):  # type: ignore[no-untyped-def]
    from rounds.wellness.bank import bank_install

    bank_install(apps.get_model("wellness", "Question"))


class Migration(migrations.Migration):
    dependencies = [("wellness", "0001_initial")]
    operations = [migrations.RunPython(install, migrations.RunPython.noop)]
