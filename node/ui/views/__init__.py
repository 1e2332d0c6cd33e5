"""The screens. Each is an object holding its own state (filters, the open document) with
`build()` returning its controls, so the shell can rebuild it at any time."""
