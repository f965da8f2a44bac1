"""Blobs store bytes: each text blob becomes its UTF-8 bytes (same SHA-256, since hashes
were always taken over the UTF-8 encoding), and binary files can be stored from now on."""

from django.db import migrations, models


def text_to_bytes(apps, schema_editor):
    Blob = apps.get_model("generations", "Blob")
    for blob in Blob.objects.only("sha256", "content").iterator(chunk_size=200):
        Blob.objects.filter(pk=blob.pk).update(data=blob.content.encode("utf-8"))


def bytes_to_text(apps, schema_editor):
    Blob = apps.get_model("generations", "Blob")
    for blob in Blob.objects.only("sha256", "data").iterator(chunk_size=200):
        if blob.binary:
            raise RuntimeError(f"Blob {blob.sha256} is binary and cannot go back to text.")
        Blob.objects.filter(pk=blob.pk).update(content=bytes(blob.data).decode("utf-8"))


class Migration(migrations.Migration):
    dependencies = [("generations", "0009_git_import_binary")]

    operations = [
        migrations.AddField(
            model_name="blob", name="binary", field=models.BooleanField(default=False)
        ),
        migrations.AddField(
            model_name="blob", name="data", field=models.BinaryField(default=b"")
        ),
        migrations.RunPython(text_to_bytes, bytes_to_text),
        migrations.RemoveField(model_name="blob", name="content"),
        migrations.RenameField(model_name="blob", old_name="data", new_name="content"),
        migrations.AlterField(model_name="blob", name="content", field=models.BinaryField()),
    ]
