"""Running a version: its own tests, and a live preview of its app, by the runner
(orchestrator.running) in the sandbox. This app keeps what the runner reports (models),
asks it (setup, previews, test_runs), proxies a preview from its own host name (proxy), and
serves the pages and the API (views, api). See docs/running.md."""
