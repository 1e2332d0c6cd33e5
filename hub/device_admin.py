"""The device administration an outlet's PC does over the wire (docs/protocol.md "Device
administration"): the request bodies checked, then the one path of hub/services/
admin_nodes.py (its checks, write and audit), the answers in the protocol's shape. The
routes (hub/app.py) have authenticated the calling node by its signature already."""
from sync.errors import BadRequest

from hub.services.admin_nodes import Nodes


def issue_code(nodes: Nodes, node_id: str, body: dict, request_base: str) -> dict:
    """`{"technician_id"}` → a device code with HQ's public URL (as `hub serve` was told,
    else the URL this request reached) and the certificate pin."""
    technician_id = body.get("technician_id")
    if not isinstance(technician_id, str) or not technician_id:
        raise BadRequest("technician_id must be a user id (a string)")
    code = nodes.device_code(node_id, technician_id, url=nodes.url or request_base)
    return {"code": code.code, "technician_id": code.technician_id, "expires_at": code.expires_at}


def outlet_devices(nodes: Nodes, node_id: str) -> dict:
    return {"devices": [d.as_json() for d in nodes.outlet_devices(node_id)]}


def retire(nodes: Nodes, node_id: str, device_id: str) -> dict:
    nodes.retire_device(node_id, device_id)
    return {"node_id": device_id, "status": "revoked"}
