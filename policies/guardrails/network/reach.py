"""Read a stack into the plain links of :mod:`guardrails.reachability`: subnets, routes, ACLs, groups.

Every reference is followed through :class:`StackGraph` (``propertyDependencies`` first, then ids), so
a first ``pulumi preview`` decides what it can: a subnet whose id is unknown is still the subnet its
``subnetId`` was built from. A reference that stays unknown and could name one of several resources is
tried with each; if they all give the same exposures the answer stands, else ``UnknownValueError``
(the SDK's "can't run during preview").

What the stack does not declare is assumed as AWS creates it, the widest way:

- a subnet outside the stack (the account's default VPC, looked up rather than registered, as the lab's
  ``useDefaultVpc`` mode does) is a default-VPC subnet: it maps public IPv4 addresses on launch, its
  main route table sends ``0.0.0.0/0`` to the VPC's Internet Gateway, and the default ACL admits all.
  That is exactly how AWS creates default subnets, and assuming it can only report an exposure that a
  private outside subnet would not have, never hide one;
- a VPC in the stack with no ``DefaultRouteTable`` or ``MainRouteTableAssociation`` keeps the main table
  AWS creates, which has only the local route; a ``DefaultVpc`` or a VPC outside the stack keeps the
  default VPC's, which also routes ``0.0.0.0/0`` to its gateway;
- a security group outside the stack has rules no one can read: it counts as open to everyone;
- a gateway id outside the stack that reads ``igw-…`` counts as an attached Internet Gateway.

Not followed (so a resource reached only through them is not reported): VPC peering, transit and
virtual private gateways, VPC endpoints and PrivateLink, Global Accelerator and CloudFront in front of
the stack, network interfaces attached to an instance, and egress ACL rules (return traffic).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from pulumi_policy.proxy import UNKNOWN_STRING_VALUE, UnknownValueError

from .. import props as p
from .. import reachability as r
from ..ingress import IngressPermission, Protocol, ProtocolKind, SourceKind, parse_cidr
from ..stackgraph import Node, Resolution, StackGraph, describe_reference
from . import tokens as t
from .topology import SECURITY_GROUP_TYPES, SUBNET_TYPES, launch_security_groups, launch_spec, permissions_on

VPC_TYPES = (t.VPC, t.DEFAULT_VPC)
GATEWAY_TYPES = (t.INTERNET_GATEWAY, t.VPN_GATEWAY)
ROUTE_TABLE_TYPES = (t.ROUTE_TABLE, t.DEFAULT_ROUTE_TABLE)
ACL_TYPES = (t.NETWORK_ACL, t.DEFAULT_NETWORK_ACL)
OUTSIDE = "outside"
# A subnet's links, whether it maps public IPv4 addresses / assigns IPv6 ones on launch, and its VPC.
SubnetLinks = tuple[r.Subnet, bool, bool, str | None]

_DEFAULT_VPC_GATEWAY = r.Hop("the default VPC's Internet Gateway (assumed)")
_DEFAULT_VPC_TABLE = r.RouteTable(
    r.Hop("the default VPC's main route table (assumed)"),
    (r.Route(r.ANY_IPV4, "0.0.0.0/0", _DEFAULT_VPC_GATEWAY),),
)


@dataclass
class Undecided:
    """A resource whose exposure this analysis cannot trace, with the reason; rules fail closed on it."""

    urn: str
    message: str


@dataclass
class StackReach:
    exposures: list[r.Exposure] = field(default_factory=list)
    undecided: list[Undecided] = field(default_factory=list)


def _text(node: Node, kind: str) -> str:
    """A resource as a path names it: its AWS id once known (``igw-0abc``), else ``igw 'lab-igw'``."""
    ident = p.reference(node.props, "id")
    if isinstance(ident, str) and 0 < len(ident) <= 80 and ident.isprintable() and ident != UNKNOWN_STRING_VALUE:
        return ident
    return f"{kind} '{node.name}'"


def _hop(node: Node, kind: str) -> r.Hop:
    return r.Hop(_text(node, kind), (node.urn,))


def _first(resolution: Resolution) -> Node | str | None:
    """The one resource a reference names, the text of one outside the stack, or None."""
    if resolution.nodes:
        return resolution.nodes[0]
    if resolution.unresolved:
        value = resolution.unresolved[0]
        return value.strip() if isinstance(value, str) and value.strip() else OUTSIDE
    return None


class Reader:
    """One stack's links, each read once (indexes are built on first use and kept on the graph)."""

    def __init__(self, graph: StackGraph) -> None:
        self.graph = graph

    def _memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        return self.graph.memo(("reach", key), compute)

    # --- VPCs and gateways ---------------------------------------------------------------------

    def vpc_key(self, node: Node, key: str = "vpcId") -> str | None:
        """The VPC ``node`` names in ``key``: its URN, ``id:<text>`` outside the stack, None if unset."""
        found = _first(self.graph.resolve_one(node, key, p.reference(node.props, key), VPC_TYPES))
        if isinstance(found, Node):
            return found.urn
        return None if found is None else f"id:{found}"

    def _vpc_node(self, vpc: str | None) -> Node | None:
        return self.graph.by_urn(vpc) if vpc is not None else None

    def _gateway_vpcs(self) -> dict[Node, set[str]]:
        def build() -> dict[Node, set[str]]:
            found: dict[Node, set[str]] = {}
            for gateway in self.graph.of_type(t.INTERNET_GATEWAY):
                vpc = self.vpc_key(gateway)
                found.setdefault(gateway, set()).update([vpc] if vpc else [])
            for attachment in self.graph.of_type(t.INTERNET_GATEWAY_ATTACHMENT):
                vpc = self.vpc_key(attachment)
                ref = p.reference(attachment.props, "internetGatewayId")
                for gateway in self.graph.resolve_one(attachment, "internetGatewayId", ref, GATEWAY_TYPES).nodes:
                    found.setdefault(gateway, set()).update([vpc] if vpc else [])
            return found

        result: dict[Node, set[str]] = self._memo("gateway_vpcs", build)
        return result

    def _internet_gateway(self, owner: Node, key: str, value: Any, vpc: str | None) -> r.Hop | None:
        """The hop of the Internet Gateway ``value`` names, if it is one attached to ``vpc``."""
        if value is None:
            return None
        found = _first(self.graph.resolve_one(owner, key, value, GATEWAY_TYPES))
        if isinstance(found, Node):
            if found.type != t.INTERNET_GATEWAY or vpc not in self._gateway_vpcs().get(found, set()):
                return None
            return _hop(found, "igw")
        if isinstance(found, str) and found.startswith("igw-"):
            return r.Hop(f"{found} (outside this stack, assumed attached)")
        return None

    # --- route tables --------------------------------------------------------------------------

    def _standalone_routes(self) -> dict[Node, list[Node]]:
        def build() -> dict[Node, list[Node]]:
            found: dict[Node, list[Node]] = {}
            for route in self.graph.of_type(t.ROUTE):
                ref = p.reference(route.props, "routeTableId")
                for table in self.graph.resolve_one(route, "routeTableId", ref, ROUTE_TABLE_TYPES).nodes:
                    found.setdefault(table, []).append(route)
            return found

        result: dict[Node, list[Node]] = self._memo("standalone_routes", build)
        return result

    def _route(self, owner: Node, key: str, entry: Any, cidr_keys: tuple[str, str], vpc: str | None) -> r.Route | None:
        gateway = self._internet_gateway(owner, key, p.reference(entry, "gatewayId"), vpc)
        if gateway is None:
            return None
        for cidr_key in cidr_keys:
            raw = p.get(entry, cidr_key)
            if raw is not None and raw != "":
                source = parse_cidr(raw, cidr_key)
                # A destination that cannot be read fails closed: it may cover every address.
                return r.Route(source.network, str(source.network) if source.network else "unreadable", gateway)
        prefix_list = p.reference(entry, "destinationPrefixListId")
        if prefix_list is not None:
            return r.Route(None, f"prefix list {describe_reference(prefix_list)}", gateway)
        return r.Route(None, "unreadable destination", gateway)

    def route_table(self, table: Node) -> r.RouteTable:
        def build() -> r.RouteTable:
            vpc = self._table_vpc(table)
            routes: list[r.Route] = []
            for entry in p.as_list(p.get(table.props, "routes")):
                route = self._route(table, "routes", entry, ("cidrBlock", "ipv6CidrBlock"), vpc)
                routes += [route] if route else []
            for node in self._standalone_routes().get(table, []):
                keys = ("destinationCidrBlock", "destinationIpv6CidrBlock")
                route = self._route(node, "gatewayId", node.props, keys, vpc)
                routes += [route] if route else []
            return r.RouteTable(_hop(table, "rtb"), tuple(routes), self._local(vpc))

        result: r.RouteTable = self._memo(("route_table", table), build)
        return result

    def _table_vpc(self, table: Node) -> str | None:
        if table.type == t.DEFAULT_ROUTE_TABLE:
            return self._default_owner(table, "defaultRouteTableId")
        return self.vpc_key(table)

    def _default_owner(self, node: Node, key: str) -> str | None:
        """The VPC a default route table or ACL belongs to: the VPC its id was read from."""
        owners = self.graph.dependencies(node, key, VPC_TYPES)
        if owners:
            return owners[0].urn
        value = p.reference(node.props, key)
        owner = self._vpcs_by_default(key).get(value) if isinstance(value, str) else None
        if owner is not None:
            return owner
        return self.vpc_key(node) if p.reference(node.props, "vpcId") is not None else None

    def _vpcs_by_default(self, key: str) -> dict[str, str]:
        """VPC URNs by the id of their default route table or ACL (``key``), read once per stack."""

        def build() -> dict[str, str]:
            found: dict[str, str] = {}
            for vpc in self.graph.of_type(*VPC_TYPES):
                value = p.reference(vpc.props, key)
                if isinstance(value, str):
                    found.setdefault(value, vpc.urn)
            return found

        result: dict[str, str] = self._memo(("vpcs_by_default", key), build)
        return result

    def _local(self, vpc: str | None) -> tuple[r.Net, ...]:
        node = self._vpc_node(vpc)
        if node is None:
            return ()
        found = []
        for key in ("cidrBlock", "ipv6CidrBlock"):
            value = p.reference(node.props, key)
            network = parse_cidr(value, key).network if isinstance(value, str) else None
            found += [network] if network is not None else []
        return tuple(found)

    def _associations(self) -> dict[Node, Node]:
        def build() -> dict[Node, Node]:
            found: dict[Node, Node] = {}
            for association in self.graph.of_type(t.ROUTE_TABLE_ASSOCIATION):
                subnet = p.reference(association.props, "subnetId")
                if subnet is None:
                    continue
                tables = self.graph.resolve_one(
                    association, "routeTableId", p.reference(association.props, "routeTableId"), ROUTE_TABLE_TYPES
                ).nodes
                for node in self.graph.resolve_one(association, "subnetId", subnet, SUBNET_TYPES).nodes:
                    if tables:
                        found.setdefault(node, tables[0])
            return found

        result: dict[Node, Node] = self._memo("associations", build)
        return result

    def _main_tables(self) -> dict[str, Node]:
        def build() -> dict[str, Node]:
            found: dict[str, Node] = {}
            for table in self.graph.of_type(t.DEFAULT_ROUTE_TABLE):
                vpc = self._default_owner(table, "defaultRouteTableId")
                if vpc is not None:
                    found.setdefault(vpc, table)
            for association in self.graph.of_type(t.MAIN_ROUTE_TABLE_ASSOCIATION):
                vpc = self.vpc_key(association)
                ref = p.reference(association.props, "routeTableId")
                tables = self.graph.resolve_one(association, "routeTableId", ref, ROUTE_TABLE_TYPES).nodes
                if vpc is not None and tables:
                    found[vpc] = tables[0]
            return found

        result: dict[str, Node] = self._memo("main_tables", build)
        return result

    def _table_of(self, subnet: Node, vpc: str | None) -> r.RouteTable:
        explicit = self._associations().get(subnet)
        if explicit is not None:
            return self.route_table(explicit)
        main = self._main_tables().get(vpc) if vpc is not None else None
        if main is not None:
            return self.route_table(main)
        node = self._vpc_node(vpc)
        if node is not None and node.type == t.VPC:
            return r.RouteTable(r.Hop(f"the main route table of {_text(node, 'vpc')} (local route only)"))
        return _DEFAULT_VPC_TABLE

    # --- network ACLs --------------------------------------------------------------------------

    def _acl_rules(self) -> dict[Node, list[Node]]:
        def build() -> dict[Node, list[Node]]:
            found: dict[Node, list[Node]] = {}
            for rule in self.graph.of_type(t.NETWORK_ACL_RULE):
                if p.as_bool(p.get(rule.props, "egress")) is True:
                    continue
                ref = p.reference(rule.props, "networkAclId")
                for acl in self.graph.resolve_one(rule, "networkAclId", ref, ACL_TYPES).nodes:
                    found.setdefault(acl, []).append(rule)
            return found

        result: dict[Node, list[Node]] = self._memo("acl_rules", build)
        return result

    def _acl_of_subnets(self) -> tuple[dict[Node, Node], dict[str, Node]]:
        def build() -> tuple[dict[Node, Node], dict[str, Node]]:
            by_subnet: dict[Node, Node] = {}
            defaults: dict[str, Node] = {}
            for acl in self.graph.of_type(*ACL_TYPES):
                if acl.type == t.DEFAULT_NETWORK_ACL:
                    vpc = self._default_owner(acl, "defaultNetworkAclId")
                    if vpc is not None:
                        defaults.setdefault(vpc, acl)
                ids = p.reference_items(p.get(acl.props, "subnetIds"))
                for subnet in self.graph.resolve(acl, "subnetIds", ids, SUBNET_TYPES).nodes:
                    by_subnet.setdefault(subnet, acl)
            for association in self.graph.of_type(t.NETWORK_ACL_ASSOCIATION):
                ref = p.reference(association.props, "networkAclId")
                acls = self.graph.resolve_one(association, "networkAclId", ref, ACL_TYPES).nodes
                ref = p.reference(association.props, "subnetId")
                for subnet in self.graph.resolve_one(association, "subnetId", ref, SUBNET_TYPES).nodes:
                    if acls:
                        by_subnet[subnet] = acls[0]
            return by_subnet, defaults

        result: tuple[dict[Node, Node], dict[str, Node]] = self._memo("acl_of_subnets", build)
        return result

    def network_acl(self, acl: Node) -> r.NetworkAcl:
        def build() -> r.NetworkAcl:
            rules: list[r.AclRule] = []
            for entry in p.as_list(p.get(acl.props, "ingress")):
                rules += _acl_rule(entry, "ruleNo", "action")
            for node in self._acl_rules().get(acl, []):
                rules += _acl_rule(node.props, "ruleNumber", "ruleAction")
            return r.NetworkAcl(_hop(acl, "acl"), tuple(rules))

        result: r.NetworkAcl = self._memo(("acl", acl), build)
        return result

    # --- subnets -------------------------------------------------------------------------------

    def subnet(self, node: Node) -> tuple[r.Subnet, bool, bool, str | None]:
        """The subnet's links, whether it maps public IPv4 / assigns IPv6 on launch, and its VPC."""

        def build() -> tuple[r.Subnet, bool, bool, str | None]:
            vpc = self.vpc_key(node)
            by_subnet, defaults = self._acl_of_subnets()
            acl = by_subnet.get(node) or (defaults.get(vpc) if vpc is not None else None)
            mapped = p.as_bool(p.get(node.props, "mapPublicIpOnLaunch"))
            if mapped is None:
                mapped = node.type == t.DEFAULT_SUBNET or p.get(node.props, "mapPublicIpOnLaunch") is not None
            ipv6 = p.as_bool(p.get(node.props, "assignIpv6AddressOnCreation")) is True
            links = r.Subnet(
                _hop(node, "subnet"), self._table_of(node, vpc), self.network_acl(acl) if acl is not None else None
            )
            return links, mapped, ipv6, vpc

        result: tuple[r.Subnet, bool, bool, str | None] = self._memo(("subnet", node), build)
        return result

    def outside_subnet(self, text: str) -> tuple[r.Subnet, bool, bool, str | None]:
        label = "a default subnet" if text == OUTSIDE else text
        hop = r.Hop(f"{label} (outside this stack: a default-VPC subnet assumed)")
        return r.Subnet(hop, _DEFAULT_VPC_TABLE), True, False, None

    def subnets(
        self, owner: Node, key: str, values: Sequence[Any]
    ) -> list[list[tuple[r.Subnet, bool, bool, str | None]]]:
        """The subnets ``values`` name, as alternatives: one list normally, one per candidate when a
        single unknown reference could be any of several subnets its property was built from."""
        resolution = self.graph.resolve(owner, key, values, SUBNET_TYPES, keep_unknown=True)
        known = [self.subnet(n) for n in resolution.nodes]
        known += [
            self.outside_subnet(v.strip() if isinstance(v, str) and v.strip() else OUTSIDE)
            for v in resolution.unresolved
        ]
        if not resolution.unknown:
            return [known]
        candidates = [d for d in self.graph.dependencies(owner, key, SUBNET_TYPES) if d not in resolution.nodes]
        if len(resolution.unknown) != 1 or not candidates:
            resolution.require_known()
        options = []
        for candidate in candidates:
            links, maps, ipv6, vpc = self.subnet(candidate)
            note = f"{links.hop.text} (one of {len(candidates)} subnets {key} is built from)"
            options.append([*known, (replace(links, hop=replace(links.hop, text=note)), maps, ipv6, vpc)])
        return options

    # --- security groups -----------------------------------------------------------------------

    def _default_groups(self) -> dict[str, Node]:
        def build() -> dict[str, Node]:
            found: dict[str, Node] = {}
            for group in self.graph.of_type(t.DEFAULT_SECURITY_GROUP):
                vpc = self.vpc_key(group)
                if vpc is not None:
                    found.setdefault(vpc, group)
            return found

        result: dict[str, Node] = self._memo("default_groups", build)
        return result

    def group_permissions(self, group: Node) -> tuple[r.Permission, ...]:
        def build() -> tuple[r.Permission, ...]:
            text = _text(group, "sg")
            found = []
            rules = list(permissions_on(self.graph, group))
            # A standalone rule that is a copy of an earlier one (copies sharing ids all name this group)
            # admits the same sources on the same ports: one of them is traced.
            owners = set(self.graph.distinct_copies(dict.fromkeys(owner for owner, _ in rules)))
            for owner, permission in rules:
                if owner not in owners:
                    continue
                urns = (group.urn,) if owner is group else (group.urn, owner.urn)
                converted = self._permission(r.Hop(text, urns), owner, permission)
                found += [converted] if converted is not None else []
            return tuple(found)

        result: tuple[r.Permission, ...] = self._memo(("group", group), build)
        return result

    def _permission(self, hop: r.Hop, owner: Node, permission: IngressPermission) -> r.Permission | None:
        protocol = permission.protocol
        number = _protocol_number(protocol)
        if number is not None and number not in r.PROTOCOL_NAMES:
            return None
        sources = tuple(s for s in (self._source(owner, source) for source in permission.sources) if s is not None)
        if not sources:
            return None
        if number is None:
            return r.Permission(hop, sources)
        if permission.ports_readable:
            assert permission.from_port is not None and permission.to_port is not None
            return r.Permission(hop, sources, number, permission.from_port, permission.to_port)
        return r.Permission(hop, sources, number)

    def _source(self, owner: Node, source: Any) -> r.Source | None:
        if source.kind is SourceKind.UNKNOWN:
            raise p.unknown_error(source.field)
        if source.kind in (SourceKind.SECURITY_GROUP, SourceKind.SELF, SourceKind.MISSING):
            return None  # other groups' members: private addresses inside the VPC (or no source at all)
        if source.kind is SourceKind.INVALID and source.network is not None:
            return r.Source(r.EVERYWHERE, f"{source.network} in the wrong address family ({source.field})")
        if source.kind in (SourceKind.IPV4, SourceKind.IPV6) and source.network is not None:
            wants_v6 = source.field.startswith(("ipv6CidrBlocks", "cidrIpv6"))
            if wants_v6 == (source.network.version == 6):
                return r.Source((source.network,), str(source.network))
            return r.Source(r.EVERYWHERE, f"{source.network} in the wrong address family ({source.field})")
        if source.kind is SourceKind.PREFIX_LIST:
            return self._prefix_list(owner, source)
        return r.Source(r.EVERYWHERE, source.describe())

    def _prefix_list(self, owner: Node, source: Any) -> r.Source:
        key = "ingress" if owner.type in (t.DEFAULT_SECURITY_GROUP, SECURITY_GROUP_TYPES[0]) else "prefixListId"
        lists = self.graph.resolve_one(owner, key, source.reference, [t.MANAGED_PREFIX_LIST]).nodes
        label = f"prefix list {describe_reference(source.reference)}"
        if not lists:
            return r.Source(r.EVERYWHERE, f"{label} (outside this stack: entries unknown)")
        networks = []
        for entry in p.as_list(p.get(lists[0].props, "entries")):
            network = parse_cidr(p.get(entry, "cidr"), "cidr").network
            networks += [network] if network is not None else list(r.EVERYWHERE)
        return r.Source(tuple(networks), label)

    def permissions(self, owner: Node, key: str, values: list[Any], vpc: str | None) -> tuple[r.Permission, ...]:
        """What the groups ``values`` name admit; no group at all means the VPC's default group."""
        if not values:
            return self.default_group_permissions(vpc)
        resolution = self.graph.resolve(owner, key, values, SECURITY_GROUP_TYPES)
        return self.from_groups(resolution)

    def default_group_permissions(self, vpc: str | None) -> tuple[r.Permission, ...]:
        group = self._default_groups().get(vpc) if vpc is not None else None
        # AWS's own default group admits only its members, so it exposes nothing.
        return self.group_permissions(group) if group is not None else ()

    def from_groups(self, resolution: Resolution) -> tuple[r.Permission, ...]:
        found: list[r.Permission] = []
        # Groups that are copies of one another (a reference by value names every copy) admit the same.
        for group in self.graph.distinct_copies(resolution.nodes):
            found += self.group_permissions(group)
        for ref in resolution.unresolved:
            hop = r.Hop(f"security group {describe_reference(ref)} (outside this stack: rules unknown)")
            found.append(r.Permission(hop, (r.Source(r.EVERYWHERE, "anywhere (rules unknown)"),)))
        return tuple(found)

    # --- addresses -----------------------------------------------------------------------------

    def _elastic_ips(self) -> dict[Node, list[Node]]:
        def build() -> dict[Node, list[Node]]:
            found: dict[Node, list[Node]] = {}
            for owner, instance_key, interface_key in (
                *((eip, "instance", "networkInterface") for eip in self.graph.of_type(t.EIP)),
                *((a, "instanceId", "networkInterfaceId") for a in self.graph.of_type(t.EIP_ASSOCIATION)),
            ):
                ref = p.reference(owner.props, instance_key)
                for instance in self.graph.resolve_one(owner, instance_key, ref, [t.INSTANCE]).nodes:
                    found.setdefault(instance, []).append(owner)
                for instance in self._by_primary_interface(owner, interface_key):
                    found.setdefault(instance, []).append(owner)
            return found

        result: dict[Node, list[Node]] = self._memo("eips", build)
        return result

    def _by_primary_interface(self, owner: Node, key: str) -> list[Node]:
        """Instances whose primary network interface ``key`` names (``primaryNetworkInterfaceId``)."""
        value = p.reference(owner.props, key)
        if value is None:
            return []
        found = self.graph.dependencies(owner, key, [t.INSTANCE])
        if found or not isinstance(value, str):
            return found

        def build() -> dict[str, list[Node]]:
            index: dict[str, list[Node]] = {}
            for instance in self.graph.of_type(t.INSTANCE):
                interface = p.reference(instance.props, "primaryNetworkInterfaceId")
                if isinstance(interface, str):
                    index.setdefault(interface, []).append(instance)
            return index

        index: dict[str, list[Node]] = self._memo("primary_interfaces", build)
        return index.get(value.strip(), [])

    def elastic_ip(self, instance: Node) -> r.Hop | None:
        found = self._elastic_ips().get(instance)
        return _hop(found[0], "eip") if found else None


def _protocol_number(protocol: Protocol) -> int | None:
    """The protocol's IANA number, None for every protocol (``-1`` or one that cannot be recognised)."""
    if protocol.kind in (ProtocolKind.ALL, ProtocolKind.UNRECOGNISED):
        return None
    return protocol.number


def _acl_rule(entry: Any, number_key: str, action_key: str) -> list[r.AclRule]:
    """An ACL ingress rule; one that cannot be read allows everything (or, as a deny, is dropped)."""
    action = p.as_str(p.get(entry, action_key))
    allow = action is None or action.strip().lower() != "deny"
    number = p.as_int(p.get(entry, number_key))
    protocol = Protocol.parse(p.get(entry, "protocol"))
    networks = [
        parse_cidr(raw, key).network
        for key in ("cidrBlock", "ipv6CidrBlock")
        if (raw := p.get(entry, key)) is not None and raw != ""
    ]
    ports = (p.as_int(p.get(entry, "fromPort")), p.as_int(p.get(entry, "toPort")))
    readable = (
        number is not None
        and protocol.kind is not ProtocolKind.UNRECOGNISED
        and len(networks) == 1
        and networks[0] is not None
        and (action or "").strip().lower() in ("allow", "deny")
    )
    number_of = _protocol_number(protocol)
    if number_of in r.PROTOCOL_NAMES and not (
        ports[0] is not None and ports[1] is not None and 0 <= ports[0] <= ports[1] <= r.MAX_PORT
    ):
        readable = False
    if not readable:
        if not allow:
            return []
        return [r.AclRule(number if number is not None else 0, True, n) for n in r.EVERYWHERE]
    assert number is not None and networks[0] is not None
    if number_of in r.PROTOCOL_NAMES:
        assert ports[0] is not None and ports[1] is not None
        return [r.AclRule(number, allow, networks[0], number_of, ports[0], ports[1])]
    if number_of is None:
        return [r.AclRule(number, allow, networks[0])]
    return []  # icmp and other port-less protocols carry no tcp/udp exposure


def unknown(path: str) -> UnknownValueError:
    return UnknownValueError(UNKNOWN_STRING_VALUE, [path])


# --------------------------------------------------------------------------------------------------
# The resources that can answer: instances, the instances of Auto Scaling groups, load balancers
# --------------------------------------------------------------------------------------------------


def _alternatives(targets: list[list[r.Target]]) -> list[r.Exposure]:
    """The exposures of a resource whose subnet is one of several candidates, if they all agree."""
    found = [r.exposures(option) for option in targets]
    signatures = {tuple((e.protocol, e.from_port, e.to_port, e.networks) for e in option) for option in found}
    if len(signatures) > 1:
        raise unknown("subnetId")
    return found[0] if found else []


def _instance(reader: Reader, node: Node) -> list[r.Exposure] | Undecided:
    props = node.props
    if p.as_list(p.get(props, "networkInterfaces")):
        return Undecided(
            node.urn,
            f"{node.label()} attaches network interfaces, whose subnets, groups and addresses this analysis "
            "does not follow; give the instance subnetId and vpcSecurityGroupIds instead",
        )
    subnet_ref = p.reference(props, "subnetId")
    options = reader.subnets(node, "subnetId", [subnet_ref] if subnet_ref is not None else [OUTSIDE])
    explicit = p.as_bool(p.get(props, "associatePublicIpAddress"))
    if explicit is None and p.get(props, "associatePublicIpAddress") is not None:
        explicit = True  # unreadable: fails closed
    eip = reader.elastic_ip(node)
    ipv6 = (p.as_int(p.get(props, "ipv6AddressCount")) or 0) > 0 or bool(p.as_list(p.get(props, "ipv6Addresses")))
    templates = _instance_templates(reader, node)
    # The instance's own setting wins; else its launch template's interface; else the subnet.
    for template in templates.nodes:
        from_template, template_ipv6 = _launch_address(template)
        explicit = explicit if explicit is not None else from_template
        ipv6 = ipv6 or template_ipv6
    targets: list[list[r.Target]] = []
    for option in options:
        placements = []
        vpc = option[0][3] if option else None
        for links, maps, assigns_ipv6, _ in option:
            public = explicit if explicit is not None else maps
            address = eip or (r.Hop("public IP") if public else None)
            placements.append(r.Placement(links, address, ipv6 or assigns_ipv6))
        by_key = {key: p.reference_items(p.get(props, key)) for key in ("vpcSecurityGroupIds", "securityGroups")}
        if not any(by_key.values()) and p.get(props, "launchTemplate") is not None:
            permissions = _template_groups(reader, node)
        elif not any(by_key.values()):
            permissions = reader.default_group_permissions(vpc)
        else:
            permissions = tuple(
                permission
                for key, groups in by_key.items()
                if groups
                for permission in reader.permissions(node, key, groups, vpc)
            )
        hop = r.Hop(f"instance {node.name}", (node.urn,))
        targets.append([r.Target(node.urn, node.type, node.name, "instance", hop, tuple(placements), permissions)])
    return _alternatives(targets)


def _instance_templates(reader: Reader, node: Node) -> Resolution:
    ref = p.get(node.props, "launchTemplate")
    if ref is None:
        return Resolution()
    value = p.first_reference(p.reference(ref, "id"), p.reference(ref, "name"))
    return reader.graph.resolve(node, "launchTemplate", [value], [t.LAUNCH_TEMPLATE])


def _template_groups(reader: Reader, node: Node) -> tuple[r.Permission, ...]:
    templates = _instance_templates(reader, node)
    found: list[r.Permission] = []
    for template in templates.nodes:
        groups, _ = launch_security_groups(reader.graph, template)
        found += reader.from_groups(groups)
    if templates.unresolved:
        found += reader.from_groups(Resolution(unresolved=templates.unresolved))
    return tuple(found)


def _launch_address(launcher: Node) -> tuple[bool | None, bool]:
    """What a template or configuration says about a public IPv4 (None: the subnet decides) and IPv6."""
    if launcher.type == t.LAUNCH_CONFIGURATION:
        raw = p.get(launcher.props, "associatePublicIpAddress")
        value = p.as_bool(raw)
        return (True if value is None and raw is not None else value), False
    interfaces = [i for i in p.as_list(p.get(launcher.props, "networkInterfaces")) if p.is_mapping(i)]
    primary = next((i for i in interfaces if p.as_int(p.get(i, "deviceIndex")) in (0, None)), None)
    if primary is None:
        return None, False
    raw = p.get(primary, "associatePublicIpAddress")
    value = p.as_bool(raw)
    ipv6 = (p.as_int(p.get(primary, "ipv6AddressCount")) or 0) > 0 or bool(p.as_list(p.get(primary, "ipv6Addresses")))
    return (True if value is None and raw is not None else value), ipv6


def _auto_scaling_group(reader: Reader, node: Node) -> list[r.Exposure] | Undecided:
    spec = launch_spec(reader.graph, node)
    outside = spec.templates.unresolved + spec.configurations.unresolved
    if outside or spec.empty:
        what = f"launch template {describe_reference(outside[0])} is outside this stack" if outside else "none"
        return Undecided(node.urn, f"{node.label()} launches from what this analysis cannot read ({what})")
    zones = p.reference_items(p.get(node.props, "vpcZoneIdentifiers"))
    options = reader.subnets(node, "vpcZoneIdentifiers", zones or [OUTSIDE])
    hop = r.Hop(f"instances of autoscaling group {node.name}", (node.urn,))
    targets: list[list[r.Target]] = []
    for option in options:
        per_option: list[r.Target] = []
        # Launch templates that are copies of one another (a reference by value names every copy) read
        # the same: one of them gives the same networks, ports and sources, so each is traced once.
        for launcher in reader.graph.distinct_copies(spec.templates.nodes + spec.configurations.nodes):
            explicit, ipv6 = _launch_address(launcher)
            address_hop = r.Hop(f"public IP (from {_text(launcher, 'launch template')})", (launcher.urn,))
            placements = []
            vpc = option[0][3] if option else None
            for links, maps, assigns_ipv6, _ in option:
                public = explicit if explicit is not None else maps
                placements.append(r.Placement(links, address_hop if public else None, ipv6 or assigns_ipv6))
            groups, named = launch_security_groups(reader.graph, launcher)
            permissions = reader.from_groups(groups) if named else reader.default_group_permissions(vpc)
            per_option.append(r.Target(node.urn, node.type, node.name, "instance", hop, tuple(placements), permissions))
        targets.append(per_option)
    return _alternatives(targets)


_LISTENER_PROTOCOLS: dict[str, tuple[int, ...]] = {
    "HTTP": (r.TCP,),
    "HTTPS": (r.TCP,),
    "TCP": (r.TCP,),
    "TLS": (r.TCP,),
    "SSL": (r.TCP,),
    "UDP": (r.UDP,),
    "TCP_UDP": (r.TCP, r.UDP),
    "GENEVE": (),
}


def _listeners_by_balancer(reader: Reader) -> dict[Node, list[Node]]:
    def build() -> dict[Node, list[Node]]:
        found: dict[Node, list[Node]] = {}
        for listener in reader.graph.of_type(t.LISTENER):
            ref = p.reference(listener.props, "loadBalancerArn")
            for balancer in reader.graph.resolve_one(listener, "loadBalancerArn", ref, [t.LOAD_BALANCER]).nodes:
                found.setdefault(balancer, []).append(listener)
        return found

    result: dict[Node, list[Node]] = reader.graph.memo(("reach", "listeners"), build)
    return result


def _listener(hop: r.Hop, raw_protocol: Any, raw_port: Any, default: str) -> list[r.Listener]:
    text = p.as_str(raw_protocol)
    name = text.strip().upper() if text else default
    # A protocol that cannot be read fails closed as both.
    protocols = _LISTENER_PROTOCOLS.get(name, (r.TCP, r.UDP))
    port = p.as_int(raw_port)
    port = port if port is not None and 0 <= port <= r.MAX_PORT else None
    return [r.Listener(hop, protocol, port) for protocol in protocols]


def _internet_facing(node: Node) -> bool:
    raw = p.get(node.props, "internal")
    return p.as_bool(raw) is not True


def _load_balancer(reader: Reader, node: Node) -> list[r.Exposure] | Undecided:
    props = node.props
    kind = (p.as_str(p.get(props, "loadBalancerType")) or "application").strip().lower()
    if kind == "gateway" or not _internet_facing(node):
        return []
    subnets = p.reference_items(p.get(props, "subnets"))
    key = "subnets"
    if not subnets:
        key = "subnetMappings"
        subnets = [p.reference(m, "subnetId") for m in p.as_list(p.get(props, "subnetMappings"))]
    options = reader.subnets(node, key, subnets or [OUTSIDE])
    address_type = (p.as_str(p.get(props, "ipAddressType")) or "ipv4").strip().lower()
    ipv4 = address_type != "dualstack-without-public-ipv4"
    ipv6 = address_type.startswith("dualstack")
    default_protocol = "HTTP" if kind == "application" else "TCP"
    listeners = tuple(
        item
        for listener in _listeners_by_balancer(reader).get(node, [])
        for item in _listener(
            r.Hop(f"listener {listener.name}", (listener.urn,)),
            p.get(listener.props, "protocol"),
            p.get(listener.props, "port"),
            default_protocol,
        )
    )
    groups = p.reference_items(p.get(props, "securityGroups"))
    hop = r.Hop(f"load balancer {node.name}", (node.urn,))
    targets: list[list[r.Target]] = []
    for option in options:
        vpc = option[0][3] if option else None
        if groups or kind == "application":
            permissions: tuple[r.Permission, ...] | None = reader.permissions(node, "securityGroups", groups, vpc)
        else:
            permissions = None  # a network load balancer without groups filters nothing
        placements = tuple(
            r.Placement(links, r.Hop("public IP (internet-facing)") if ipv4 else None, ipv6)
            for links, _, _, _ in option
        )
        targets.append(
            [r.Target(node.urn, node.type, node.name, "loadBalancer", hop, placements, permissions, listeners)]
        )
    return _alternatives(targets)


def _classic_load_balancer(reader: Reader, node: Node) -> list[r.Exposure] | Undecided:
    props = node.props
    if not _internet_facing(node):
        return []
    subnets = p.reference_items(p.get(props, "subnets"))
    options = reader.subnets(node, "subnets", subnets or [OUTSIDE])
    hop = r.Hop(f"classic load balancer {node.name}", (node.urn,))
    listeners = tuple(
        item
        for i, listener in enumerate(p.as_list(p.get(props, "listeners")))
        for item in _listener(
            r.Hop(f"listeners[{i}]", (node.urn,)), p.get(listener, "lbProtocol"), p.get(listener, "lbPort"), "TCP"
        )
    )
    groups = p.reference_items(p.get(props, "securityGroups"))
    targets: list[list[r.Target]] = []
    for option in options:
        vpc = option[0][3] if option else None
        permissions = reader.permissions(node, "securityGroups", groups, vpc)
        placements = tuple(r.Placement(links, r.Hop("public IP (internet-facing)")) for links, _, _, _ in option)
        targets.append(
            [r.Target(node.urn, node.type, node.name, "loadBalancer", hop, placements, permissions, listeners)]
        )
    return _alternatives(targets)


_READERS: dict[str, Callable[[Reader, Node], list[r.Exposure] | Undecided]] = {
    t.INSTANCE: _instance,
    t.AUTOSCALING_GROUP: _auto_scaling_group,
    t.LOAD_BALANCER: _load_balancer,
    t.CLASSIC_LOAD_BALANCER: _classic_load_balancer,
}


def exposures_of(graph: StackGraph, node: Node) -> list[r.Exposure] | Undecided:
    """``node``'s exposures (``[]`` for a type that answers nothing), or why they cannot be traced."""
    read = _READERS.get(node.type)
    if read is None:
        return []
    reader: Reader = graph.memo(("reach", "reader"), lambda: Reader(graph))
    return read(reader, node)


def stack_reach(graph: StackGraph) -> StackReach:
    """Every exposure in the stack, in stack order; ``UnknownValueError`` if one cannot be decided yet."""
    result = StackReach()
    for node in graph.of_type(*_READERS):
        found = exposures_of(graph, node)
        if isinstance(found, Undecided):
            result.undecided.append(found)
        else:
            result.exposures += found
    return result
