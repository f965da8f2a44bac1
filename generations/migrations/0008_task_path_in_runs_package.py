"""The run task moved from generations.tasks to generations.runs.tasks: tasks queued before
the upgrade point at the new path, so no queued version waits forever."""

from django.db import migrations

OLD = "generations.tasks.run_version"
NEW = "generations.runs.tasks.run_version"


def forwards(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    results.objects.filter(task_path=OLD).update(task_path=NEW)


def backwards(apps, schema_editor):
    results = apps.get_model("django_tasks_database", "DBTaskResult")
    results.objects.filter(task_path=NEW).update(task_path=OLD)


class Migration(migrations.Migration):
    dependencies = [
        ("generations", "0007_file_facts"),
        ("django_tasks_database", "0021_conditional_partial_index_ordering"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
