"""The usual licences, certifications and visas of US graduate medical education."""

from django.db import migrations

TYPES = [
    ("training-licence", "Training licence", "licence"),
    ("full-licence", "Full medical licence", "licence"),
    ("dea", "DEA registration", "licence"),
    ("bls", "BLS", "certification"),
    ("acls", "ACLS", "certification"),
    ("pals", "PALS", "certification"),
    ("nrp", "NRP", "certification"),
    ("atls", "ATLS", "certification"),
    ("j1-visa", "J-1 visa", "visa"),
    ("h1b-visa", "H-1B visa", "visa"),
]


def add_types(apps, schema_editor):
    CredentialType = apps.get_model("record", "CredentialType")
    for code, name, kind in TYPES:
        CredentialType.objects.get_or_create(code=code, defaults={"name": name, "kind": kind})


def remove_types(apps, schema_editor):
    apps.get_model("record", "CredentialType").objects.filter(
        code__in=[code for code, _, _ in TYPES]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [("record", "0002_credentials")]
    operations = [migrations.RunPython(add_types, remove_types)]
