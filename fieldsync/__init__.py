"""The top of the house: the `fieldsync` command and the demo, the only code that drives
both the hub and the node (layers: shared <- sync <- hub, node <- fieldsync)."""
