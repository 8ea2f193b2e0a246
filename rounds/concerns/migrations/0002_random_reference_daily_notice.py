import secrets

from django.db import migrations, models

import rounds.concerns.models

ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"


def give_references(apps, schema_editor):  # type: ignore[no-untyped-def]
    Concern = apps.get_model("concerns", "Concern")
    taken = set()
    for concern in Concern.objects.all():
        while True:
            raw = "".join(secrets.choice(ALPHABET) for _ in range(8))
            reference = f"C-{raw[:4]}-{raw[4:]}"
            if reference not in taken:
                break
        taken.add(reference)
        concern.reference = reference
        concern.save(update_fields=["reference"])


class Migration(migrations.Migration):
    dependencies = [("concerns", "0001_initial")]

    operations = [
        migrations.AddField(
            model_name="concern",
            name="reference",
            field=models.CharField(editable=False, max_length=12, null=True),
        ),
        migrations.RunPython(give_references, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="concern",
            name="reference",
            field=models.CharField(
                default=rounds.concerns.models.new_reference,
                editable=False,
                max_length=12,
                unique=True,
            ),
        ),
        migrations.AddField(
            model_name="concern",
            name="office_notice_due",
            field=models.BooleanField(default=False),
        ),
        migrations.AlterModelOptions(
            name="concern",
            options={"ordering": ["status", "-raised_on", "reference"]},
        ),
    ]
