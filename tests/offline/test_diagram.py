"""offline/diagram.py: the architecture drawn from registered resources and their references, never by hand."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from offline.diagram import (
    GRAPHVIZ_HINT,
    SECRET_SIG,
    SIG_KEY,
    UNKNOWN,
    Diagram,
    Edge,
    Node,
    build,
    to_dot,
    to_mermaid,
    write_files,
)
from offline.harness import ProgramRun, RegisteredResource, program_from_file, run_program
from offline.mockcloud import MockCloud
from tests.offline.standin import write_project

REPO = Path(__file__).resolve().parents[2]


def run_standin(tmp_path: Path, **config: str) -> ProgramRun:
    root = write_project(tmp_path / "standin")
    values = {"aws:region": "eu-west-1", "standin:sshCidr": "203.0.113.10/32", **config}
    run = run_program(
        program_from_file(root / "__main__.py"),
        MockCloud(region="eu-west-1"),
        project="standin",
        stack="test",
        config=values,
    )
    return run.check()


def edges(diagram: Diagram) -> dict[tuple[str, str], Edge]:
    """Edges keyed by (source label's first line, target label's first line)."""
    first = {n.id: n.label.splitlines()[0] for n in diagram.nodes.values()}
    return {(first[e.source], first[e.target]): e for e in diagram.edges}


def node(diagram: Diagram, prefix: str) -> Node:
    found = [n for n in diagram.nodes.values() if n.label.startswith(prefix)]
    assert len(found) == 1, (prefix, [n.label for n in diagram.nodes.values()])
    return found[0]


# --- from a real run of the stand-in program --------------------------------------------------------


@pytest.fixture(scope="module")
def lab(tmp_path_factory: pytest.TempPathFactory) -> Diagram:
    return build(run_standin(tmp_path_factory.mktemp("lab")).resources, title="standin (test)")


def test_ssh_path_from_the_operator_host_to_the_instance(lab: Diagram) -> None:
    found = edges(lab)
    ssh = found[("operator 203.0.113.10/32", "security group lab-sg")]
    assert ssh.label == "tcp/22 from 203.0.113.10/32"
    assert found[("security group lab-sg", "EC2 instance lab-vm")].label == "guards"


def test_credentials_path_role_profile_instance_through_imdsv2(lab: Diagram) -> None:
    found = edges(lab)
    assert found[("IAM role lab-role", "instance profile lab-profile")].label == "role in"
    credentials = found[("instance profile lab-profile", "EC2 instance lab-vm")]
    assert "IMDSv2" in credentials.label and "169.254.169.254" in credentials.label
    assert "trusts ec2.amazonaws.com" in node(lab, "IAM role lab-role").label
    assert found[("IAM role lab-role", "S3 lab-bucket/app/*")].label == "s3:GetObject (inline lab-read)"


def test_subnet_and_instance_are_grouped_by_az_inside_the_vpc(lab: Diagram) -> None:
    subnet, instance = node(lab, "public subnet lab-public-0"), node(lab, "EC2 instance lab-vm")
    assert subnet.cluster is not None and subnet.cluster == instance.cluster
    zone = lab.clusters[subnet.cluster]
    assert zone.label == "eu-west-1a"
    assert zone.parent is not None and lab.clusters[zone.parent].label == "VPC lab-vpc 10.0.0.0/16"
    assert "public IP 198.51.100." in instance.label
    found = edges(lab)
    assert found[("public subnet lab-public-0", "Internet Gateway lab-igw")].label == "route 0.0.0.0/0"
    assert ("Internet", "Internet Gateway lab-igw") in found


def test_mermaid_and_dot_carry_the_same_graph(lab: Diagram) -> None:
    mermaid = to_mermaid(lab)
    assert mermaid.startswith("---\ntitle: standin (test)\n---\nflowchart LR\n")
    assert '-->|"tcp/22 from 203.0.113.10/32"|' in mermaid
    assert "subgraph" in mermaid and '["eu-west-1a"]' in mermaid
    dot = to_dot(lab)
    assert 'label="tcp/22 from 203.0.113.10/32"' in dot
    assert "subgraph cluster_" in dot
    assert dot.count(" -> ") == mermaid.count("-->") + mermaid.count("-.->") == len(lab.edges)


def test_the_drawing_follows_the_config(tmp_path: Path) -> None:
    diagram = build(run_standin(tmp_path, **{"standin:sshCidr": "198.51.100.7/32"}).resources)
    labels = {e.label for e in diagram.edges}
    assert "tcp/22 from 198.51.100.7/32" in labels
    assert "tcp/22 from 203.0.113.10/32" not in labels


# --- the repository's own stacks -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def real_runs() -> Iterator[dict[str, ProgramRun]]:
    from offline.preview import run_stack_program
    from offline.project import load_stack

    yield {stack: run_stack_program(load_stack(REPO, stack)).check() for stack in ("dev", "prod")}


def test_dev_stack_diagram(real_runs: dict[str, ProgramRun]) -> None:
    mermaid = to_mermaid(build(real_runs["dev"].resources))
    assert '|"tcp/22 from 203.0.113.10/32"|' in mermaid
    assert "EC2 instance" in mermaid and "Internet Gateway" in mermaid
    assert "temporary credentials via IMDSv2" in mermaid
    assert "Auto Scaling group" not in mermaid


def test_prod_stack_diagram(real_runs: dict[str, ProgramRun]) -> None:
    diagram = build(real_runs["prod"].resources)
    labels = [e.label for e in diagram.edges]
    assert "tcp/80 from 0.0.0.0/0" in labels
    assert any(label.startswith("tcp/80 from sg ") for label in labels)  # instances admit only the ALB's group
    assert "to instances on port 80" in labels
    assert any(label.startswith("listener HTTP:") for label in labels)
    assert any("IMDSv2" in label for label in labels)
    assert "tcp/22" not in " ".join(labels)  # production opens no SSH
    zones = {c.label for c in diagram.clusters.values()}
    assert {"us-east-1a", "us-east-1b"} <= zones
    assert sum(n.label.startswith("NAT gateway") for n in diagram.nodes.values()) == 2


# --- hand-built resources: references, aliases, odd shapes -----------------------------------------------


def r(
    name: str,
    type_: str,
    inputs: dict[str, Any],
    *,
    id_: str = "",
    deps: dict[str, list[str]] | None = None,
    outputs: dict[str, Any] | None = None,
) -> RegisteredResource:
    return RegisteredResource(
        urn=f"urn:pulumi:s::p::{type_}::{name}",
        type=type_,
        name=name,
        custom=True,
        inputs=inputs,
        outputs=outputs or {},
        id=id_,
        property_dependencies=deps or {},
    )


SG = "aws:ec2/securityGroup:SecurityGroup"


def test_references_resolve_by_id_without_property_dependencies() -> None:
    web = r("web", SG, {}, id_="sg-web")
    rule = r(
        "rule",
        "aws:ec2/securityGroupRule:SecurityGroupRule",
        {
            "type": "ingress",
            "securityGroupId": "sg-web",
            "protocol": "-1",
            "fromPort": 0.0,
            "toPort": 0.0,
            "cidrBlocks": ["10.1.0.0/16"],
            "ipv6CidrBlocks": ["::/0"],
            "self": True,
            "prefixListIds": ["pl-1"],
        },
    )
    found = edges(build([web, rule]))
    assert found[("network 10.1.0.0/16", "security group web")].label == "all traffic from 10.1.0.0/16"
    assert found[("Internet", "security group web")].label == "all traffic from ::/0"
    assert found[("security group web", "security group web")].label == "all traffic from itself"
    assert found[("prefix list pl-1", "security group web")].label == "all traffic from prefix list pl-1"


def test_references_resolve_by_dependency_urn_when_ids_are_unknown() -> None:
    alb_sg = r("alb-sg", SG, {}, id_="")
    app_sg = r("app-sg", SG, {}, id_="")
    rule = r(
        "from-alb",
        "aws:vpc/securityGroupIngressRule:SecurityGroupIngressRule",
        {
            "securityGroupId": UNKNOWN,
            "referencedSecurityGroupId": UNKNOWN,
            "ipProtocol": "tcp",
            "fromPort": 8080.0,
            "toPort": 8080.0,
        },
        deps={"securityGroupId": [app_sg.urn], "referencedSecurityGroupId": [alb_sg.urn]},
    )
    found = edges(build([alb_sg, app_sg, rule]))
    assert found[("security group alb-sg", "security group app-sg")].label == "tcp/8080 from sg alb-sg"


def test_alb_alias_listener_target_group_and_asg() -> None:
    subnets = [
        r(
            f"sub-{z}",
            "aws:ec2/subnet:Subnet",
            {"availabilityZone": f"eu-west-1{z}", "cidrBlock": "10.0.0.0/24"},
            id_=f"subnet-{z}",
        )
        for z in "ab"
    ]
    lb = r(
        "alb",
        "aws:alb/loadBalancer:LoadBalancer",
        {"subnets": ["subnet-a", "subnet-b"]},
        id_="arn:lb",
        outputs={"arn": "arn:lb"},
    )
    tg = r(
        "tg",
        "aws:alb/targetGroup:TargetGroup",
        {"port": 8080.0, "protocol": "HTTP"},
        id_="arn:tg",
        outputs={"arn": "arn:tg"},
    )
    listener = r(
        "http",
        "aws:alb/listener:Listener",
        {
            "loadBalancerArn": "arn:lb",
            "port": 80.0,
            "protocol": "HTTP",
            "defaultActions": [{"type": "forward", "targetGroupArn": "arn:tg"}],
        },
    )
    lt = r("lt", "aws:ec2/launchTemplate:LaunchTemplate", {"metadataOptions": {"httpTokens": "optional"}}, id_="lt-1")
    asg = r(
        "asg",
        "aws:autoscaling/group:Group",
        {
            "vpcZoneIdentifiers": ["subnet-a", "subnet-b"],
            "targetGroupArns": ["arn:tg"],
            "launchTemplate": {"id": "lt-1"},
            "minSize": 1.0,
            "desiredCapacity": 2.0,
            "maxSize": 4.0,
        },
    )
    diagram = build([*subnets, lb, tg, listener, lt, asg])
    found = edges(diagram)
    assert found[("Application Load Balancer alb", "target group tg")].label == "listener HTTP:80"
    assert found[("target group tg", "Auto Scaling group asg")].label == "to instances on port 8080"
    assert found[("Auto Scaling group asg", "launch template lt")].label == "launches from"
    assert "AZs eu-west-1a, eu-west-1b" in node(diagram, "Application Load Balancer").label
    assert "min/desired/max 1/2/4" in node(diagram, "Auto Scaling group").label
    assert "IMDSv1 or v2 (tokens optional)" in node(diagram, "launch template").label


def test_secret_values_are_never_drawn() -> None:
    group = r(
        "sg",
        SG,
        {
            "ingress": [
                {
                    "protocol": "tcp",
                    "fromPort": 22.0,
                    "toPort": 22.0,
                    "cidrBlocks": [{SIG_KEY: SECRET_SIG, "value": "192.0.2.77/32"}],
                }
            ]
        },
    )
    text = to_mermaid(build([group])) + to_dot(build([group]))
    assert "192.0.2.77" not in text
    assert "tcp/22 from [secret]" in text


@pytest.mark.parametrize(
    "inputs",
    [
        {"ingress": "not-a-list"},
        {"ingress": [None, 3, "x", {"protocol": None, "cidrBlocks": "0.0.0.0/0"}]},
        {"ingress": [{"protocol": "tcp", "fromPort": "22", "toPort": None, "cidrBlocks": [None, 5]}]},
        {"ingress": [{"securityGroups": ["sg-nowhere"], "protocol": "6", "fromPort": 22.0, "toPort": 22.0}]},
        {"vpcId": {"nested": ["weird"]}, "ingress": [{"prefixListIds": "pl-x"}]},
    ],
)
def test_odd_shapes_never_raise(inputs: dict[str, Any]) -> None:
    others = [
        r("i", "aws:ec2/instance:Instance", {"vpcSecurityGroupIds": "sg-x", "metadataOptions": "bad", "subnetId": 7}),
        r("role", "aws:iam/role:Role", {"assumeRolePolicy": "{not json", "inlinePolicies": [{"policy": 5}]}),
        r("lb", "aws:lb/listener:Listener", {"defaultActions": ["x", {"redirect": "y"}]}),
    ]
    diagram = build([r("sg", SG, inputs), *others])
    assert to_mermaid(diagram) and to_dot(diagram)


def test_six_protocol_and_unresolved_source_group_are_labelled() -> None:
    group = r(
        "sg", SG, {"ingress": [{"securityGroups": ["sg-elsewhere"], "protocol": "6", "fromPort": 22.0, "toPort": 22.0}]}
    )
    assert edges(build([group]))[("sg sg-elsewhere", "security group sg")].label == "tcp/22 from sg sg-elsewhere"


# --- writers ----------------------------------------------------------------------------------------------


def tricky() -> Diagram:
    diagram = Diagram(title='say "hi" #1')
    diagram.nodes["a"] = Node("a", 'quote " <b> back\\slash\nsecond', "hexagon")
    diagram.nodes["b"] = Node("b", "plain", "cylinder")
    diagram.edge("a", "b", 'label "x"', "dashed")
    diagram.edge("a", "missing", "dropped")
    return diagram


def test_mermaid_escapes_what_would_break_its_syntax() -> None:
    text = to_mermaid(tricky())
    assert 'a{{"quote #quot; #lt;b#gt; back\\slash<br/>second"}}' in text
    assert 'b[("plain")]' in text
    assert 'a -.->|"label #quot;x#quot;"| b' in text
    assert "missing" not in text


def test_dot_escapes_quotes_backslashes_and_newlines() -> None:
    text = to_dot(tricky())
    assert 'label="quote \\" <b> back\\\\slash\\nsecond"' in text
    assert 'a -> b [label="label \\"x\\"", style=dashed, constraint=false];' in text


def test_without_graphviz_only_mermaid_is_written_and_the_note_says_how_to_install(tmp_path: Path) -> None:
    files = write_files(tricky(), tmp_path / "build", "dev", dot="")
    assert files.paths() == [tmp_path / "build" / "dev.mmd"]
    assert files.mermaid.read_text().startswith("---")
    assert files.note == GRAPHVIZ_HINT and "apt-get install graphviz" in files.note


def test_a_failing_graphviz_is_a_note_not_an_error(tmp_path: Path) -> None:
    files = write_files(tricky(), tmp_path, "dev", dot="/bin/false")
    assert files.svg is None and files.png is None
    assert files.note.startswith("Graphviz failed to render svg")


@pytest.mark.skipif(shutil.which("dot") is None, reason="Graphviz is optional: apt-get install graphviz")
def test_with_graphviz_svg_and_png_are_rendered(tmp_path: Path) -> None:
    files = write_files(tricky(), tmp_path, "dev")
    assert files.svg is not None and "<svg" in files.svg.read_text()
    assert files.png is not None and files.png.read_bytes().startswith(b"\x89PNG\r\n")
    assert files.note == ""


def test_a_resource_named_like_a_mermaid_keyword_gets_a_safe_id() -> None:
    group = r(
        "end",
        SG,
        {"ingress": [{"protocol": "tcp", "fromPort": 22.0, "toPort": 22.0, "cidrBlocks": ["203.0.113.10/32"]}]},
    )
    diagram = build([group])
    assert "end" not in diagram.nodes and "end_node" in diagram.nodes
    assert "\n  end_node{{" in to_mermaid(diagram)
