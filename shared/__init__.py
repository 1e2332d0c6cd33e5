"""Domain vocabulary shared by the hub and the nodes: tables and their sync policy, the
order state machine, roles, money and human numbering. Nothing else declares these words."""
