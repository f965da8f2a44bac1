"""Running a project's code, always in a bubblewrap sandbox: its environment (environments,
installs), its own tests (project_tests, junit), and live previews of its app (previews),
held by the runner behind one small interface (runner, client). Plain Python, no Django;
the app reaches it through generations.running. See docs/running.md."""
