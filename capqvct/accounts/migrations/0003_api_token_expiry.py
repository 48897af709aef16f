from datetime import timedelta

import django.core.validators
from django.db import migrations, models
from django.db.models import F

# Tokens created before they expired get the default lifetime, counted from their creation.
DEFAULT_LIFETIME = timedelta(days=90)


def give_existing_tokens_an_expiry(apps, schema_editor):
    ApiToken = apps.get_model("accounts", "ApiToken")
    ApiToken.objects.filter(expires_at__isnull=True).update(expires_at=F("created_at") + DEFAULT_LIFETIME)


class Migration(migrations.Migration):
    dependencies = [
        ("accounts", "0002_letterhead"),
    ]

    operations = [
        migrations.AddField(
            model_name="organisation",
            name="api_token_lifetime_days",
            field=models.PositiveSmallIntegerField(
                default=90,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(365),
                ],
                verbose_name="durée de validité des jetons d'API (jours)",
            ),
        ),
        migrations.AddField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(null=True, verbose_name="expire le"),
        ),
        migrations.RunPython(give_existing_tokens_an_expiry, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="apitoken",
            name="expires_at",
            field=models.DateTimeField(verbose_name="expire le"),
        ),
    ]
