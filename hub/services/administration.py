"""HQ administration in one place on the facade (`services.admin`): the network (outlets,
users), the rules (fees, SLA, surveys), the devices (nodes, enrollment, forks) and the
knowledge base. Every action there needs the admin's HQ work (shared/roles.py HQ_WORK)."""
from hub.services.admin_network import Network
from hub.services.admin_nodes import Nodes
from hub.services.admin_rules import Rules
from hub.services.kb_admin import KbAdmin


class Administration:
    def __init__(self, ctx):
        self.network = Network(ctx)
        self.rules = Rules(ctx)
        self.nodes = Nodes(ctx)
        self.kb = KbAdmin(ctx)
