"""This release's version, as pyproject.toml has it (a test holds the two together): a node
tells HQ at enrollment and in every hello, and HQ's device list shows who is behind."""
APP_VERSION = "0.2.0"
