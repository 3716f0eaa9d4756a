"""Whether a method opens bids in public (招标投标法 第34条; 87号令 第39条) or has the panel open
the responses (negotiation, consultation, inquiry, single source: 74号令, 214号文)."""

from django.db import migrations, models

PUBLIC_OPENING = ["open_tender", "invited_tender", "tender"]


def seed(apps, schema_editor):
    TradingMethod = apps.get_model("catalog", "TradingMethod")
    TradingMethod.objects.using(schema_editor.connection.alias).filter(
        code__in=PUBLIC_OPENING
    ).update(public_opening=True)


class Migration(migrations.Migration):
    dependencies = [("catalog", "0004_seed_procurement_min_bidders")]

    operations = [
        migrations.AddField(
            model_name="tradingmethod",
            name="public_opening",
            field=models.BooleanField(
                default=False,
                help_text=(
                    "Bids are opened in public and the opening record is published (tenders). "
                    "Negotiation, consultation, inquiry and single source have none: the panel "
                    "opens the responses."
                ),
                verbose_name="public opening",
            ),
        ),
        migrations.RunPython(seed, migrations.RunPython.noop),
    ]
