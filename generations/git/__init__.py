"""Every generation as a git repository: commits derived from versions (repository), served
over git's smart HTTP protocol (http), pushes made into versions (pushes), and a version
pushed to another git host (remote)."""
