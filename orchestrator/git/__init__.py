"""Git objects for Iterum's versions (dulwich, pure Python, no Django): commits derived
deterministically from versions, and trees read back from pushed commits under the path
policy."""
