"""The outlet node: services for the technician's and clerk's work, background sync, Flet views."""
from node import migrations  # noqa: F401  (registers the schema of node.db)
