"""The HQ hub: FastAPI sync API and JSON API, services, scheduled jobs, Flet views."""
