"""The architecture diagram, derived from the registered resources and the references between them.

Nothing is drawn by hand: every node is a resource the program registered (or a source an ingress
rule names, such as the operator's /32 or the internet), and every edge is a reference the engine
recorded, found through ``propertyDependencies`` URNs and the ids, ARNs and names a property holds.
The picture follows the lab's two data flows and two boundaries:

- network: VPC and subnets grouped by Availability Zone, the Internet Gateway and NAT gateways with
  the routes that reach them, the ALB, the instances or Auto Scaling group, and each security group
  with the flows its ingress admits (``tcp/22 from 203.0.113.10/32``);
- identity: IAM role -> instance profile -> instance or launch template, the credentials path an
  instance walks through the metadata endpoint (IMDSv2 when tokens are required).

``build`` returns a ``Diagram``; ``to_mermaid`` and ``to_dot`` write it; ``write_files`` writes
``<stack>.mmd`` always and, when Graphviz's ``dot`` is installed, ``<stack>.svg`` and ``<stack>.png``.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from offline.exposure import includes_public
from offline.wire import SECRET_SIG, SIG_KEY, UNKNOWN

if TYPE_CHECKING:
    from offline.exposure import Exposure
    from offline.harness import RegisteredResource

GRAPHVIZ_HINT = "Graphviz 'dot' is not installed: apt-get install graphviz (or brew install graphviz) for SVG and PNG"

VPC = "aws:ec2/vpc:Vpc"
SUBNET = "aws:ec2/subnet:Subnet"
IGW = "aws:ec2/internetGateway:InternetGateway"
NAT = "aws:ec2/natGateway:NatGateway"
EIP = "aws:ec2/eip:Eip"
ROUTE_TABLE = "aws:ec2/routeTable:RouteTable"
ROUTE = "aws:ec2/route:Route"
ROUTE_ASSOC = "aws:ec2/routeTableAssociation:RouteTableAssociation"
SG = "aws:ec2/securityGroup:SecurityGroup"
DEFAULT_SG = "aws:ec2/defaultSecurityGroup:DefaultSecurityGroup"
SG_RULE = "aws:ec2/securityGroupRule:SecurityGroupRule"
SG_INGRESS = "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule"
INSTANCE = "aws:ec2/instance:Instance"
LAUNCH_TEMPLATE = "aws:ec2/launchTemplate:LaunchTemplate"
KEY_PAIR = "aws:ec2/keyPair:KeyPair"
ASG = "aws:autoscaling/group:Group"
ASG_ATTACHMENT = "aws:autoscaling/attachment:Attachment"
LB = "aws:lb/loadBalancer:LoadBalancer"
LISTENER = "aws:lb/listener:Listener"
TARGET_GROUP = "aws:lb/targetGroup:TargetGroup"
TG_ATTACHMENT = "aws:lb/targetGroupAttachment:TargetGroupAttachment"
ROLE = "aws:iam/role:Role"
PROFILE = "aws:iam/instanceProfile:InstanceProfile"
POLICY = "aws:iam/policy:Policy"
ROLE_POLICY = "aws:iam/rolePolicy:RolePolicy"
ROLE_ATTACHMENT = "aws:iam/rolePolicyAttachment:RolePolicyAttachment"
SGS = (SG, DEFAULT_SG)


def canonical_type(token: str) -> str:
    """``aws:alb/...`` is an alias of ``aws:lb/...``; read both as one."""
    return "aws:lb/" + token[len("aws:alb/") :] if token.startswith("aws:alb/") else token


# --- the model ------------------------------------------------------------------------------------


@dataclass
class Node:
    id: str
    label: str
    shape: str = "box"  # box | round | circle | hexagon | cylinder | subroutine
    cluster: str | None = None


@dataclass
class Cluster:
    id: str
    label: str
    parent: str | None = None


@dataclass(frozen=True)
class Edge:
    source: str
    target: str
    label: str = ""
    style: str = "solid"  # solid | dashed (a relation, not a flow) | both (a two-way flow)


@dataclass
class Diagram:
    title: str
    nodes: dict[str, Node] = field(default_factory=dict)
    clusters: dict[str, Cluster] = field(default_factory=dict)
    edges: list[Edge] = field(default_factory=list)

    def edge(self, source: str, target: str, label: str = "", style: str = "solid") -> None:
        new = Edge(source, target, label, style)
        if source in self.nodes and target in self.nodes and new not in self.edges:
            self.edges.append(new)

    def labels(self) -> list[str]:
        return [n.label for n in self.nodes.values()]


# --- reading resources ----------------------------------------------------------------------------


def _plain(value: Any) -> Any:
    """A secret's value is never shown; everything else as it is."""
    if isinstance(value, Mapping) and value.get(SIG_KEY) == SECRET_SIG:
        return "[secret]"
    return value


def _get(resource: RegisteredResource, *path: str) -> Any:
    """A nested input (falling back to the output), or None; never raises on odd shapes."""
    for source in (resource.inputs, resource.outputs):
        value: Any = source
        for key in path:
            value = _plain(value)
            value = value.get(key) if isinstance(value, Mapping) else None
        value = _plain(value)
        if value is not None and value != UNKNOWN:
            return value
    return None


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return "" if value is None else str(value)


def _strings(value: Any) -> Iterator[str]:
    if isinstance(value, Mapping):
        for item in value.values():
            yield from _strings(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from _strings(item)
    elif isinstance(value, str):
        yield value


def _list(value: Any) -> list[Any]:
    value = _plain(value)
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return [] if value is None else [value]


class References:
    """Which resources a property refers to: its dependency URNs, then any id, ARN or name it holds."""

    def __init__(self, resources: Sequence[RegisteredResource]) -> None:
        self.by_urn = {r.urn: r for r in resources}
        self.by_identifier: dict[str, list[RegisteredResource]] = {}
        for r in resources:
            if not r.custom:
                continue
            for key in ("id", "arn", "name"):
                value = r.id if key == "id" else _plain(r.outputs.get(key))
                if isinstance(value, str) and value and value != UNKNOWN:
                    self.by_identifier.setdefault(value, []).append(r)

    def targets(self, resource: RegisteredResource, prop: str, types: Iterable[str]) -> list[RegisteredResource]:
        wanted = set(types)
        found: list[RegisteredResource] = []
        for value in _strings(resource.inputs.get(prop)):
            for candidate in self.by_identifier.get(value, []):
                if canonical_type(candidate.type) in wanted and candidate not in found:
                    found.append(candidate)
        for urn in resource.property_dependencies.get(prop, []):
            dependency = self.by_urn.get(urn)
            if dependency is not None and canonical_type(dependency.type) in wanted and dependency not in found:
                found.append(dependency)
        return found

    def target(self, resource: RegisteredResource, prop: str, types: Iterable[str]) -> RegisteredResource | None:
        found = self.targets(resource, prop, types)
        return found[0] if found else None


# --- building -------------------------------------------------------------------------------------


def _port_range(protocol: Any, from_port: Any, to_port: Any) -> str:
    proto = _text(protocol).lower() or "tcp"
    if proto in ("-1", "all"):
        return "all traffic"
    proto = {"6": "tcp", "17": "udp", "1": "icmp"}.get(proto, proto)
    low, high = _text(from_port), _text(to_port)
    if proto == "icmp" or not low:
        return proto
    if low == "0" and high in ("65535", "0"):
        return f"{proto}/all ports"
    return f"{proto}/{low}" if low == high or not high else f"{proto}/{low}-{high}"


@dataclass(frozen=True)
class _Flow:
    ports: str
    cidr: str | None = None
    source_sg: RegisteredResource | None = None
    self_rule: bool = False
    other: str | None = None


# Words Mermaid reads as syntax: a resource named "end" must not close a subgraph.
_MERMAID_KEYWORDS = {"end", "subgraph", "graph", "flowchart", "style", "class", "classdef", "click", "linkstyle"}


class _Builder:
    def __init__(
        self, resources: Sequence[RegisteredResource], title: str, exposures: Sequence[Exposure] | None = None
    ) -> None:
        self.resources = list(resources)
        self.exposures = exposures
        self.refs = References(self.resources)
        self.diagram = Diagram(title=title)
        self.ids: dict[str, str] = {}
        self.taken: set[str] = set()

    # helpers
    def of(self, *types: str) -> list[RegisteredResource]:
        return [r for r in self.resources if canonical_type(r.type) in types]

    def node_id(self, key: str, hint: str) -> str:
        if key in self.ids:
            return self.ids[key]
        base = re.sub(r"[^A-Za-z0-9_]", "_", hint).strip("_") or "node"
        base = base if base[0].isalpha() else f"n_{base}"
        if base.lower() in _MERMAID_KEYWORDS:
            base = f"{base}_node"
        candidate, n = base, 2
        while candidate in self.taken:
            candidate, n = f"{base}_{n}", n + 1
        self.taken.add(candidate)
        self.ids[key] = candidate
        return candidate

    def add(self, resource: RegisteredResource, label: str, shape: str = "box", cluster: str | None = None) -> str:
        node_id = self.node_id(resource.urn, resource.name)
        self.diagram.nodes[node_id] = Node(node_id, label, shape, cluster)
        return node_id

    def external(self, key: str, label: str, shape: str = "circle") -> str:
        node_id = self.node_id(f"external:{key}", key)
        self.diagram.nodes.setdefault(node_id, Node(node_id, label, shape))
        return node_id

    def cluster(self, key: str, label: str, parent: str | None = None) -> str:
        cluster_id = self.node_id(f"cluster:{key}", f"cluster_{key}")
        self.diagram.clusters.setdefault(cluster_id, Cluster(cluster_id, label, parent))
        return cluster_id

    def nid(self, resource: RegisteredResource | None) -> str | None:
        return self.ids.get(resource.urn) if resource is not None else None

    # network
    def vpc_cluster_of(self, resource: RegisteredResource, prop: str = "vpcId") -> str | None:
        vpc = self.refs.target(resource, prop, [VPC])
        if vpc is not None:
            return self.ids.get(f"cluster:{vpc.urn}")
        raw = _get(resource, prop)
        if isinstance(raw, str) and raw:
            return self.cluster(f"vpc:{raw}", f"VPC {raw} (looked up, not managed here)")
        return None

    def network(self) -> None:
        for vpc in self.of(VPC):
            cidr = _text(_get(vpc, "cidrBlock"))
            cid = self.node_id(f"cluster:{vpc.urn}", f"vpc_{vpc.name}")
            self.diagram.clusters[cid] = Cluster(cid, f"VPC {vpc.name} {cidr}".strip())
        self.subnet_cluster: dict[str, str] = {}
        for subnet in self.of(SUBNET):
            parent = self.vpc_cluster_of(subnet)
            zone = _text(_get(subnet, "availabilityZone")) or "AZ unknown"
            az = self.cluster(f"{parent}:{zone}", zone, parent)
            self.subnet_cluster[subnet.urn] = az
        tiers = self._subnet_routes()
        for subnet in self.of(SUBNET):
            targets = tiers.get(subnet.urn, [])
            if any(canonical_type(t.type) == IGW for t, _ in targets):
                tier = "public"
            elif targets or _get(subnet, "mapPublicIpOnLaunch") is False:
                tier = "private"
            else:
                tier = "public" if _get(subnet, "mapPublicIpOnLaunch") is True else "subnet"
            label = f"{tier} subnet {subnet.name}".replace("subnet subnet", "subnet")
            cidr = _text(_get(subnet, "cidrBlock"))
            self.add(subnet, f"{label}\n{cidr}".strip(), "box", self.subnet_cluster[subnet.urn])
        internet = None
        for igw in self.of(IGW):
            internet = internet or self.external("internet", "Internet")
            gid = self.add(igw, f"Internet Gateway {igw.name}", "round", self.vpc_cluster_of(igw))
            # With exposures traced, what comes in is drawn from them; the gateway edge is the way out.
            if self.exposures is None:
                self.diagram.edge(internet, gid, "in and out", "both")
            else:
                self.diagram.edge(gid, internet, "egress", "dashed")
        for nat in self.of(NAT):
            nat_subnet = self.refs.target(nat, "subnetId", [SUBNET])
            eip = self.refs.target(nat, "allocationId", [EIP])
            public_ip = _text(_get(eip, "publicIp")) if eip is not None else _text(_get(nat, "publicIp"))
            label = f"NAT gateway {nat.name}" + (f"\nEIP {public_ip}" if public_ip else "")
            cluster = self.subnet_cluster.get(nat_subnet.urn) if nat_subnet is not None else None
            nat_id = self.add(nat, label, "round", cluster)
            if nat_subnet is not None and self.nid(nat_subnet):
                self.diagram.edge(nat_id, str(self.nid(nat_subnet)), "placed in", "dashed")
        for subnet_urn, targets in tiers.items():
            for target, destination in targets:
                src, dst = self.ids.get(subnet_urn), self.nid(target)
                if src and dst:
                    self.diagram.edge(src, dst, f"route {destination}")

    def _subnet_routes(self) -> dict[str, list[tuple[RegisteredResource, str]]]:
        """Per subnet URN, the gateways its route table sends traffic to, with the destination."""
        table_routes: dict[str, list[tuple[RegisteredResource, str]]] = {}
        for table in self.of(ROUTE_TABLE):
            for route in _list(_get(table, "routes")):
                if not isinstance(route, Mapping):
                    continue
                destination = _text(route.get("cidrBlock") or route.get("ipv6CidrBlock")) or "?"
                for key, kind in (("gatewayId", IGW), ("natGatewayId", NAT)):
                    value = route.get(key)
                    for target in self.refs.by_identifier.get(value, []) if isinstance(value, str) else []:
                        if canonical_type(target.type) == kind:
                            table_routes.setdefault(table.urn, []).append((target, destination))
        for route in self.of(ROUTE):
            route_table = self.refs.target(route, "routeTableId", [ROUTE_TABLE])
            destination = _text(_get(route, "destinationCidrBlock") or _get(route, "destinationIpv6CidrBlock")) or "?"
            for key, kind in (("gatewayId", IGW), ("natGatewayId", NAT)):
                gateway = self.refs.target(route, key, [kind])
                if route_table is not None and gateway is not None:
                    table_routes.setdefault(route_table.urn, []).append((gateway, destination))
        by_subnet: dict[str, list[tuple[RegisteredResource, str]]] = {}
        for assoc in self.of(ROUTE_ASSOC):
            subnet = self.refs.target(assoc, "subnetId", [SUBNET])
            assoc_table = self.refs.target(assoc, "routeTableId", [ROUTE_TABLE])
            if subnet is not None and assoc_table is not None:
                by_subnet.setdefault(subnet.urn, []).extend(table_routes.get(assoc_table.urn, []))
        return by_subnet

    # security groups and the flows they admit
    def flows(self) -> dict[str, list[_Flow]]:
        found: dict[str, list[_Flow]] = {}
        for group in self.of(*SGS):
            for rule in _list(_get(group, "ingress")):
                if isinstance(rule, Mapping):
                    found.setdefault(group.urn, []).extend(self._inline_flows(group, rule))
        for rule in self.of(SG_RULE):
            self._rule_flows(rule, found)
        for rule in self.of(SG_INGRESS):
            self._vpc_rule_flows(rule, found)
        return found

    def _rule_flows(self, rule: RegisteredResource, found: dict[str, list[_Flow]]) -> None:
        if _text(_get(rule, "type")) == "ingress":
            group = self.refs.target(rule, "securityGroupId", SGS)
            if group is None:
                return
            ports = _port_range(_get(rule, "protocol"), _get(rule, "fromPort"), _get(rule, "toPort"))
            flows = [_Flow(ports, cidr=_text(c)) for c in _list(_get(rule, "cidrBlocks"))]
            flows += [_Flow(ports, cidr=_text(c)) for c in _list(_get(rule, "ipv6CidrBlocks"))]
            source = self.refs.target(rule, "sourceSecurityGroupId", SGS)
            if source is not None:
                flows.append(_Flow(ports, source_sg=source))
            if _get(rule, "self") is True:
                flows.append(_Flow(ports, self_rule=True))
            flows += [_Flow(ports, other=f"prefix list {_text(p)}") for p in _list(_get(rule, "prefixListIds"))]
            found.setdefault(group.urn, []).extend(flows)

    def _vpc_rule_flows(self, rule: RegisteredResource, found: dict[str, list[_Flow]]) -> None:
        group = self.refs.target(rule, "securityGroupId", SGS)
        if group is not None:
            ports = _port_range(_get(rule, "ipProtocol"), _get(rule, "fromPort"), _get(rule, "toPort"))
            flows = []
            for key in ("cidrIpv4", "cidrIpv6"):
                if _get(rule, key):
                    flows.append(_Flow(ports, cidr=_text(_get(rule, key))))
            source = self.refs.target(rule, "referencedSecurityGroupId", SGS)
            if source is not None:
                flows.append(_Flow(ports, source_sg=source, self_rule=source.urn == group.urn))
            if _get(rule, "prefixListId"):
                flows.append(_Flow(ports, other=f"prefix list {_text(_get(rule, 'prefixListId'))}"))
            found.setdefault(group.urn, []).extend(flows)

    def _inline_flows(self, group: RegisteredResource, rule: Mapping[str, Any]) -> list[_Flow]:
        ports = _port_range(rule.get("protocol"), rule.get("fromPort"), rule.get("toPort"))
        flows = [_Flow(ports, cidr=_text(_plain(c))) for c in _list(rule.get("cidrBlocks"))]
        flows += [_Flow(ports, cidr=_text(_plain(c))) for c in _list(rule.get("ipv6CidrBlocks"))]
        for value in _list(rule.get("securityGroups")):
            sources = [s for s in self.refs.by_identifier.get(_text(value), []) if canonical_type(s.type) in SGS]
            flows += [_Flow(ports, source_sg=s) for s in sources[:1]] or [_Flow(ports, other=f"sg {_text(value)}")]
        if not rule.get("securityGroups") and group.property_dependencies.get("ingress"):
            # Values unresolved (unknown ids): the recorded dependencies still name the source groups.
            for urn in group.property_dependencies["ingress"]:
                source = self.refs.by_urn.get(urn)
                if source is not None and canonical_type(source.type) in SGS and source.urn != group.urn:
                    flows.append(_Flow(ports, source_sg=source))
        if rule.get("self") is True:
            flows.append(_Flow(ports, self_rule=True))
        flows += [_Flow(ports, other=f"prefix list {_text(p)}") for p in _list(rule.get("prefixListIds"))]
        return flows

    def security(self) -> None:
        flows = self.flows()
        attached = self._attachments()
        sources = {f.source_sg.urn for group_flows in flows.values() for f in group_flows if f.source_sg is not None}
        for group in self.of(*SGS):
            if group.urn not in flows and group.urn not in attached and group.urn not in sources:
                continue
            self.add(group, f"security group {group.name}", "hexagon", self.vpc_cluster_of(group))
        for group_urn, group_flows in flows.items():
            target = self.ids.get(group_urn)
            if target is None:
                continue
            for flow in group_flows:
                source, what = self._flow_source(flow, group_urn)
                if source is not None:
                    self.diagram.edge(source, target, f"{flow.ports} from {what}")

    def _flow_source(self, flow: _Flow, group_urn: str) -> tuple[str | None, str]:
        if flow.self_rule:
            return self.ids.get(group_urn), "itself"
        if flow.source_sg is not None:
            return self.nid(flow.source_sg), f"sg {flow.source_sg.name}"
        cidr = flow.cidr or "?"
        if self.exposures is not None and (flow.other or includes_public(cidr)):
            return None, ""  # the internet's edges come from the exposures, not from rules alone
        if flow.other:
            return self.external(flow.other, flow.other, "box"), flow.other
        if cidr in ("0.0.0.0/0", "::/0"):
            return self.external("internet", "Internet"), cidr
        if cidr.endswith("/32"):
            return self.external(f"operator {cidr}", f"operator {cidr}", "box"), cidr
        return self.external(f"cidr {cidr}", f"network {cidr}", "box"), cidr

    def exposure_edges(self) -> None:
        """One edge per exposure and source, from the internet (or the operator's host) to what it reaches."""
        by_urn = {r.urn: r for r in self.resources}
        for exposure in self.exposures or ():
            target = self.ids.get(exposure.urn)
            if target is None:
                continue
            gateway = by_urn.get(exposure.path[0]) if exposure.path else None
            via = f" via {gateway.name}" if gateway is not None and canonical_type(gateway.type) == IGW else ""
            for source in exposure.sources:
                if source.endswith(("/32", "/128")):
                    origin = self.external(f"operator {source}", f"operator {source}", "box")
                elif source in ("0.0.0.0/0", "::/0") or not includes_public(source):
                    origin = self.external("internet", "Internet")
                else:
                    origin = self.external(f"cidr {source}", f"network {source}", "box")
                self.diagram.edge(origin, target, f"{exposure.protocol}/{exposure.port}{via} from {source}")

    def _attachments(self) -> dict[str, list[RegisteredResource]]:
        """Security group URN -> the resources it guards (instances, launch templates, load balancers)."""
        guarded: dict[str, list[RegisteredResource]] = {}
        for resource in self.of(INSTANCE, LAUNCH_TEMPLATE, LB):
            groups = []
            for prop in ("vpcSecurityGroupIds", "securityGroups", "networkInterfaces"):
                groups += [g for g in self.refs.targets(resource, prop, SGS) if g not in groups]
            for group in groups:
                guarded.setdefault(group.urn, []).append(resource)
        self.guarded = guarded
        return guarded

    def guard_edges(self) -> None:
        for group_urn, resources in self.guarded.items():
            for resource in resources:
                source, target = self.ids.get(group_urn), self.nid(resource)
                if source and target:
                    self.diagram.edge(source, target, "guards", "dashed")

    # compute and load balancing
    def compute(self) -> None:
        for instance in self.of(INSTANCE):
            subnet = self.refs.target(instance, "subnetId", [SUBNET])
            cluster = self.subnet_cluster.get(subnet.urn) if subnet is not None else None
            if cluster is None:
                raw = _text(_get(instance, "subnetId"))
                vpc = self.vpc_cluster_from_groups(instance)
                cluster = self.cluster(f"{vpc}:{raw}", f"subnet {raw} (looked up)", vpc) if raw else vpc
            public = _get(instance, "associatePublicIpAddress") is True or bool(_get(instance, "publicIp"))
            lines = [f"EC2 instance {instance.name}", _text(_get(instance, "instanceType"))]
            if public:
                ip = _text(instance.outputs.get("publicIp"))
                lines.append(f"public IP {ip}".strip())
            lines.append(_imds_mode(instance))
            self.add(instance, "\n".join(x for x in lines if x), "box", cluster)
        for template in self.of(LAUNCH_TEMPLATE):
            lines = [f"launch template {template.name}", _text(_get(template, "instanceType")), _imds_mode(template)]
            self.add(template, "\n".join(x for x in lines if x), "box")
        for pair in self.of(KEY_PAIR):
            key_id = self.add(pair, f"key pair {pair.name}", "box")
            for instance in self.of(INSTANCE, LAUNCH_TEMPLATE):
                if self.refs.target(instance, "keyName", [KEY_PAIR]) is pair:
                    self.diagram.edge(key_id, str(self.nid(instance)), "SSH public key", "dashed")
        self.load_balancing()

    def load_balancing(self) -> None:
        for lb in self.of(LB):
            scheme = "internal" if _get(lb, "internal") is True else "internet-facing"
            kind = {"network": "Network", "gateway": "Gateway"}.get(_text(_get(lb, "loadBalancerType")), "Application")
            zones = self._zones(self.refs.targets(lb, "subnets", [SUBNET]))
            label = f"{kind} Load Balancer {lb.name}\n{scheme}" + (f", {zones}" if zones else "")
            self.add(lb, label, "round", self.first_vpc_cluster())
        for group in self.of(TARGET_GROUP):
            port = _text(_get(group, "port"))
            protocol = _text(_get(group, "protocol")) or "HTTP"
            check = _text(_get(group, "healthCheck", "path"))
            label = f"target group {group.name}\n{protocol}:{port}" + (f" health {check}" if check else "")
            self.add(group, label, "box", self.vpc_cluster_of(group))
        for listener in self.of(LISTENER):
            self._listener(listener)
        self.scaling()

    def _listener(self, listener: RegisteredResource) -> None:
        lb = self.refs.target(listener, "loadBalancerArn", [LB])
        front = f"{_text(_get(listener, 'protocol')) or 'HTTP'}:{_text(_get(listener, 'port'))}"
        for action in _list(_get(listener, "defaultActions")):
            redirect = _plain(action.get("redirect")) if isinstance(action, Mapping) else None
            lb_id = self.nid(lb)
            if isinstance(redirect, Mapping) and lb_id is not None:
                to = f"{_text(redirect.get('protocol'))}:{_text(redirect.get('port'))}".strip(":")
                self.diagram.nodes[lb_id].label += f"\nlistener {front} redirects to {to}"
        for group in self.refs.targets(listener, "defaultActions", [TARGET_GROUP]):
            if self.nid(lb) and self.nid(group):
                self.diagram.edge(str(self.nid(lb)), str(self.nid(group)), f"listener {front}")

    def scaling(self) -> None:
        for asg in self.of(ASG):
            subnets = self.refs.targets(asg, "vpcZoneIdentifiers", [SUBNET])
            sizes = "/".join(_text(_get(asg, k)) for k in ("minSize", "desiredCapacity", "maxSize"))
            zones = self._zones(subnets)
            label = f"Auto Scaling group {asg.name}\nmin/desired/max {sizes}" + (f"\n{zones}" if zones else "")
            asg_id = self.add(asg, label, "box", self.first_vpc_cluster())
            for subnet in subnets:
                if self.nid(subnet):
                    self.diagram.edge(asg_id, str(self.nid(subnet)), "launches instances in", "dashed")
            for template in self.refs.targets(asg, "launchTemplate", [LAUNCH_TEMPLATE]):
                self.diagram.edge(asg_id, str(self.nid(template)), "launches from")
            for mixed in self.refs.targets(asg, "mixedInstancesPolicy", [LAUNCH_TEMPLATE]):
                self.diagram.edge(asg_id, str(self.nid(mixed)), "launches from")
            for group in self.refs.targets(asg, "targetGroupArns", [TARGET_GROUP]):
                self.diagram.edge(str(self.nid(group)), asg_id, f"to instances on {self._tg_port(group)}")
        for attachment in self.of(ASG_ATTACHMENT):
            asg_ref = self.refs.target(attachment, "autoscalingGroupName", [ASG])
            group_ref = self.refs.target(attachment, "lbTargetGroupArn", [TARGET_GROUP])
            if self.nid(asg_ref) and self.nid(group_ref):
                self.diagram.edge(
                    str(self.nid(group_ref)), str(self.nid(asg_ref)), f"to instances on {self._tg_port(group_ref)}"
                )
        for attachment in self.of(TG_ATTACHMENT):
            group_ref = self.refs.target(attachment, "targetGroupArn", [TARGET_GROUP])
            instance_ref = self.refs.target(attachment, "targetId", [INSTANCE])
            if self.nid(group_ref) and self.nid(instance_ref):
                port = _text(_get(attachment, "port")) or self._tg_port(group_ref)
                self.diagram.edge(str(self.nid(group_ref)), str(self.nid(instance_ref)), f"to instance on {port}")

    def _tg_port(self, group: RegisteredResource | None) -> str:
        return f"port {_text(_get(group, 'port'))}" if group is not None else "port ?"

    def _zones(self, subnets: Sequence[RegisteredResource]) -> str:
        zones = sorted({_text(_get(s, "availabilityZone")) for s in subnets} - {""})
        return f"AZs {', '.join(zones)}" if zones else ""

    def first_vpc_cluster(self) -> str | None:
        vpcs = self.of(VPC)
        return self.ids.get(f"cluster:{vpcs[0].urn}") if vpcs else None

    def vpc_cluster_from_groups(self, resource: RegisteredResource) -> str | None:
        for group in self.refs.targets(resource, "vpcSecurityGroupIds", SGS):
            cluster = self.vpc_cluster_of(group)
            if cluster is not None:
                return cluster
        return self.first_vpc_cluster()

    # identity
    def identity(self) -> None:
        for role in self.of(ROLE):
            principals = sorted(set(_trusted_services(_get(role, "assumeRolePolicy"))))
            trust = f"\ntrusts {', '.join(principals)}" if principals else ""
            role_id = self.add(role, f"IAM role {role.name}{trust}", "subroutine")
            for arn in _list(_get(role, "managedPolicyArns")):
                self._managed_policy(role_id, _text(arn))
            for index, inline in enumerate(_list(_get(role, "inlinePolicies"))):
                if isinstance(inline, Mapping):
                    self._grants(role_id, _plain(inline.get("policy")), f"inline {inline.get('name') or index}")
        for attachment in self.of(ROLE_ATTACHMENT):
            self._role_attachment(attachment)
        for inline in self.of(ROLE_POLICY):
            inline_role_id = self.nid(self.refs.target(inline, "role", [ROLE]))
            if inline_role_id is not None:
                self._grants(inline_role_id, _get(inline, "policy"), f"inline {inline.name}")
        for profile in self.of(PROFILE):
            self._profile(profile)

    def _role_attachment(self, attachment: RegisteredResource) -> None:
        role_id = self.nid(self.refs.target(attachment, "role", [ROLE]))
        if role_id is not None:
            policy = self.refs.target(attachment, "policyArn", [POLICY])
            if policy is not None:
                policy_id = self.add(policy, f"IAM policy {policy.name}", "subroutine")
                self.diagram.edge(policy_id, role_id, "attached to")
                self._grants(role_id, _get(policy, "policy"), "")
            else:
                self._managed_policy(role_id, _text(_get(attachment, "policyArn")))

    def _profile(self, profile: RegisteredResource) -> None:
        role = self.refs.target(profile, "role", [ROLE])
        profile_id = self.add(profile, f"instance profile {profile.name}", "subroutine")
        if self.nid(role):
            self.diagram.edge(str(self.nid(role)), profile_id, "role in")
        for consumer in self.of(INSTANCE, LAUNCH_TEMPLATE):
            if profile in self.refs.targets(consumer, "iamInstanceProfile", [PROFILE]) and self.nid(consumer):
                label = f"temporary credentials via {_imds_mode(consumer)} 169.254.169.254"
                self.diagram.edge(profile_id, str(self.nid(consumer)), label)

    def _managed_policy(self, role_id: str, arn: str) -> None:
        if not arn:
            return
        name = arn.rsplit("/", 1)[-1]
        owner = "AWS managed" if ":iam::aws:policy/" in arn else "managed"
        policy_id = self.external(f"policy {arn}", f"{owner} policy {name}", "subroutine")
        self.diagram.edge(policy_id, role_id, "attached to")

    def _grants(self, role_id: str, document: Any, via: str) -> None:
        """An edge from the role to each S3 location its ``Allow`` statements name, labelled with the actions."""
        for actions, resources in _allow_statements(document):
            for resource in resources:
                if not resource.startswith("arn:") or resource.split(":")[2:3] != ["s3"]:
                    continue
                bucket = resource.split(":::", 1)[-1]
                target = self.external(f"s3 {bucket}", f"S3 {bucket}", "cylinder")
                label = ", ".join(sorted(actions)) + (f" ({via})" if via else "")
                self.diagram.edge(role_id, target, label)


def _imds_mode(resource: RegisteredResource) -> str:
    tokens = _text(_get(resource, "metadataOptions", "httpTokens")).lower()
    return "IMDSv2" if tokens == "required" else "IMDSv1 or v2 (tokens optional)"


def _document(value: Any) -> Any:
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            return None
    return value


def _allow_statements(document: Any) -> Iterator[tuple[list[str], list[str]]]:
    parsed = _document(document)
    if not isinstance(parsed, Mapping):
        return
    statements = parsed.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if isinstance(statement, Mapping) and statement.get("Effect") == "Allow":
            actions = [a for a in _list(statement.get("Action")) if isinstance(a, str)]
            resources = [r for r in _list(statement.get("Resource")) if isinstance(r, str)]
            yield actions, resources


def _trusted_services(document: Any) -> Iterator[str]:
    parsed = _document(document)
    if not isinstance(parsed, Mapping):
        return
    statements = parsed.get("Statement")
    for statement in statements if isinstance(statements, list) else [statements]:
        if not isinstance(statement, Mapping) or statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        if principal == "*":
            yield "*"
        elif isinstance(principal, Mapping):
            for kind in ("Service", "AWS", "Federated"):
                yield from (str(p) for p in _list(principal.get(kind)))


def build(
    resources: Sequence[RegisteredResource], title: str = "", exposures: Sequence[Exposure] | None = None
) -> Diagram:
    """The diagram of what ``resources`` build; order follows registration, so output is reproducible.

    With ``exposures`` (what the internet can reach, :mod:`offline.exposure`), the internet's edges are
    drawn from them: one per exposed resource, port and source, instead of one per security-group rule.
    """
    builder = _Builder(resources, title, exposures)
    builder.network()
    builder.compute()
    builder.security()
    builder.exposure_edges()
    builder.guard_edges()
    builder.identity()
    return builder.diagram


# --- writers --------------------------------------------------------------------------------------

_MERMAID_SHAPES = {
    "box": ('["', '"]'),
    "round": ('(["', '"])'),
    "circle": ('(("', '"))'),
    "hexagon": ('{{"', '"}}'),
    "cylinder": ('[("', '")]'),
    "subroutine": ('[["', '"]]'),
}


def _mermaid_text(text: str) -> str:
    escaped = text.replace("#", "#35;").replace('"', "#quot;").replace("<", "#lt;").replace(">", "#gt;")
    return escaped.replace("\n", "<br/>")


def to_mermaid(diagram: Diagram) -> str:
    """A Mermaid flowchart; GitHub renders it inline in Markdown (```mermaid)."""
    lines = ["---", f"title: {_mermaid_text(diagram.title)}", "---"] if diagram.title else []
    lines.append("flowchart LR")

    def emit(cluster: str | None, indent: str) -> None:
        for node in diagram.nodes.values():
            if node.cluster == cluster:
                left, right = _MERMAID_SHAPES.get(node.shape, _MERMAID_SHAPES["box"])
                lines.append(f"{indent}{node.id}{left}{_mermaid_text(node.label)}{right}")
        for child in diagram.clusters.values():
            if child.parent == cluster and _has_content(diagram, child.id):
                lines.append(f'{indent}subgraph {child.id}["{_mermaid_text(child.label)}"]')
                emit(child.id, indent + "  ")
                lines.append(f"{indent}end")

    emit(None, "  ")
    for edge in diagram.edges:
        arrow = {"dashed": "-.->", "both": "<-->"}.get(edge.style, "-->")
        label = f'|"{_mermaid_text(edge.label)}"|' if edge.label else ""
        lines.append(f"  {edge.source} {arrow}{label} {edge.target}")
    return "\n".join(lines) + "\n"


def _has_content(diagram: Diagram, cluster_id: str) -> bool:
    if any(n.cluster == cluster_id for n in diagram.nodes.values()):
        return True
    return any(c.parent == cluster_id and _has_content(diagram, c.id) for c in diagram.clusters.values())


_DOT_SHAPES = {
    "box": 'shape=box, style="rounded,filled", fillcolor="#eef4fb"',
    "round": 'shape=box, style="rounded,filled,bold", fillcolor="#fdf1dc"',
    "circle": 'shape=ellipse, style=filled, fillcolor="#e8e8e8"',
    "hexagon": 'shape=hexagon, style=filled, fillcolor="#fde2e1"',
    "cylinder": 'shape=cylinder, style=filled, fillcolor="#e3f4e1"',
    "subroutine": 'shape=component, style=filled, fillcolor="#efe6fa"',
}


def _dot_text(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n")


def to_dot(diagram: Diagram) -> str:
    """Graphviz DOT with one cluster per VPC and per Availability Zone."""
    lines = [
        "digraph architecture {",
        '  graph [rankdir=LR, fontname="Helvetica", fontsize=12, labelloc=t, compound=true, '
        f'nodesep=0.35, ranksep=0.6, label="{_dot_text(diagram.title)}"];',
        '  node [fontname="Helvetica", fontsize=10];',
        '  edge [fontname="Helvetica", fontsize=9, color="#555555"];',
    ]

    def emit(cluster: str | None, indent: str) -> None:
        for node in diagram.nodes.values():
            if node.cluster == cluster:
                shape = _DOT_SHAPES.get(node.shape, _DOT_SHAPES["box"])
                lines.append(f'{indent}{node.id} [label="{_dot_text(node.label)}", {shape}];')
        for child in diagram.clusters.values():
            if child.parent == cluster and _has_content(diagram, child.id):
                lines.append(f"{indent}subgraph cluster_{child.id} {{")
                lines.append(f'{indent}  label="{_dot_text(child.label)}"; style="rounded,dashed"; color="#7a8ca3";')
                emit(child.id, indent + "  ")
                lines.append(f"{indent}}}")

    emit(None, "  ")
    for edge in diagram.edges:
        # A relation (dashed) must not stretch the layout; only flows decide the ranks.
        style = {"dashed": ", style=dashed, constraint=false", "both": ", dir=both"}.get(edge.style, "")
        lines.append(f'  {edge.source} -> {edge.target} [label="{_dot_text(edge.label)}"{style}];')
    lines.append("}")
    return "\n".join(lines) + "\n"


@dataclass
class DiagramFiles:
    mermaid: Path
    svg: Path | None = None
    png: Path | None = None
    note: str = ""

    def paths(self) -> list[Path]:
        return [p for p in (self.mermaid, self.svg, self.png) if p is not None]


def write_files(diagram: Diagram, out_dir: Path, stem: str, *, dot: str | None = None) -> DiagramFiles:
    """Write ``<stem>.mmd``; with Graphviz (``dot`` on PATH, or the given path) also ``.svg`` and ``.png``.

    A missing or failing Graphviz is not an error: the Mermaid file is the source of truth, and the
    note says how to get the images.
    """
    out_dir.mkdir(parents=True, exist_ok=True)
    files = DiagramFiles(mermaid=out_dir / f"{stem}.mmd")
    files.mermaid.write_text(to_mermaid(diagram), encoding="utf-8")
    executable = dot if dot is not None else shutil.which("dot")
    if not executable:
        files.note = GRAPHVIZ_HINT
        return files
    source = to_dot(diagram).encode()
    for fmt in ("svg", "png"):
        target = out_dir / f"{stem}.{fmt}"
        try:
            subprocess.run(
                [executable, f"-T{fmt}", "-Gdpi=110" if fmt == "png" else "-Gdpi=72", "-o", str(target)],
                input=source,
                check=True,
                capture_output=True,
                timeout=60,
            )
        except (OSError, subprocess.SubprocessError) as exc:
            files.note = f"Graphviz failed to render {fmt}: {_reason(exc)}"
            return files
        setattr(files, fmt, target)
    return files


def _reason(exc: BaseException) -> str:
    if isinstance(exc, subprocess.CalledProcessError) and exc.stderr:
        return " ".join(exc.stderr.decode(errors="replace").split())[:300]
    return " ".join(str(exc).split())[:300]
