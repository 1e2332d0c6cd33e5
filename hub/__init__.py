"""The HQ hub: FastAPI sync API and JSON API, services, scheduled jobs, Flet views."""
from hub import migrations  # noqa: F401  (registers the schema of hub.db)
