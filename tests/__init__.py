import hub  # noqa: F401  (the apps register their store files' schemas: sync/migrations.py)
import node  # noqa: F401
