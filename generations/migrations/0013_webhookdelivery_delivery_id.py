import uuid

from django.db import migrations, models


def give_each_delivery_an_id(apps, schema_editor):
    WebhookDelivery = apps.get_model("generations", "WebhookDelivery")
    for delivery in WebhookDelivery.objects.only("pk").iterator():
        WebhookDelivery.objects.filter(pk=delivery.pk).update(delivery_id=uuid.uuid4())


class Migration(migrations.Migration):
    dependencies = [
        ("generations", "0012_modelcall_tokens_thinking"),
    ]

    operations = [
        migrations.AddField(
            model_name="webhookdelivery",
            name="delivery_id",
            field=models.UUIDField(editable=False, null=True),
        ),
        migrations.RunPython(give_each_delivery_an_id, migrations.RunPython.noop),
        migrations.AlterField(
            model_name="webhookdelivery",
            name="delivery_id",
            field=models.UUIDField(default=uuid.uuid4, editable=False, unique=True),
        ),
    ]
