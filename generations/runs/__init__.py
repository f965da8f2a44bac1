"""The life of a run, in one-way layers (import-linter keeps them so), top to bottom:

- `queue`: start a run (a new generation, an iteration) under the user's limits;
  `reaper`: the web process's thread that fails runs whose worker went silent;
- `tasks`: the `django.tasks` task that claims a queued version and runs it;
- `execute`: one claimed version through the pipeline, to a true final status;
- `lifecycle`: claim, heartbeat, progress, finish, fail, cancel, reap;
  `forecasts`: what earlier runs and calls took;
- `limits`: runs waiting and going per user, runs per API token and minute;
  `wakeups`: waking an idle worker the moment a version is queued.
"""
