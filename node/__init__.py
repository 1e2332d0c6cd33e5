"""The outlet node: services for the technician's and clerk's work, background sync, Flet views."""
