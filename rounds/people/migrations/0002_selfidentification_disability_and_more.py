# Additive: more voluntary self-identification fields (issue 7, inclusion).

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("people", "0001_initial"),
    ]

    operations = [
        migrations.AddField(
            model_name="selfidentification",
            name="disability",
            field=models.BooleanField(blank=True, null=True, verbose_name="has a disability"),
        ),
        migrations.AddField(
            model_name="selfidentification",
            name="lgbtq",
            field=models.BooleanField(blank=True, null=True, verbose_name="identifies as LGBTQ+"),
        ),
    ]
