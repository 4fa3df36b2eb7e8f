"""offline/render.py: the preview's tree, outputs and count, laid out as ``pulumi preview`` prints them."""

from __future__ import annotations

from offline.harness import RegisteredResource
from offline.render import SECRET_SIG, SIG_KEY, UNKNOWN, outputs, resource_count, resource_tree, simplify_type

STACK_URN = "urn:pulumi:dev::demo::pulumi:pulumi:Stack::demo-dev"


def res(name: str, type_: str, parent: str = STACK_URN) -> RegisteredResource:
    return RegisteredResource(
        urn=f"urn:pulumi:dev::demo::{type_}::{name}", type=type_, name=name, custom=True, inputs={}, parent=parent
    )


def test_simplify_type_as_the_cli_does() -> None:
    assert simplify_type("aws:ec2/vpc:Vpc") == "aws:ec2:Vpc"
    assert simplify_type("aws:ec2/securityGroup:SecurityGroup") == "aws:ec2:SecurityGroup"
    assert simplify_type("aws:lb/loadBalancer:LoadBalancer") == "aws:lb:LoadBalancer"
    # The file part does not repeat the type name: kept whole.
    assert simplify_type("aws:iam/rolePolicyAttachment:Attachment") == "aws:iam/rolePolicyAttachment:Attachment"
    assert simplify_type("demo:network:Network") == "demo:network:Network"
    assert simplify_type("pulumi:pulumi:Stack") == "pulumi:pulumi:Stack"
    assert simplify_type("odd") == "odd"


def test_tree_nests_children_under_parents_in_registration_order() -> None:
    stack = RegisteredResource(urn=STACK_URN, type="pulumi:pulumi:Stack", name="demo-dev", custom=False, inputs={})
    net = res("network", "demo:network:Network")
    vpc = res("network-vpc", "aws:ec2/vpc:Vpc", parent=net.urn)
    subnet = res("network-public-0", "aws:ec2/subnet:Subnet", parent=net.urn)
    role = res("role", "aws:iam/role:Role")
    orphan = res("lost", "aws:s3/bucket:Bucket", parent="urn:pulumi:dev::demo::x:y:Z::never-registered")
    lines = resource_tree([stack, net, vpc, subnet, role, orphan])
    assert lines[0].split() == ["Type", "Name", "Plan"]
    body = [line.rstrip() for line in lines[1:]]
    assert [line.split()[-2] for line in body] == [
        "demo-dev",
        "network",
        "network-vpc",
        "network-public-0",
        "role",
        "lost",
    ]
    assert body[0].startswith(" +   pulumi:pulumi:Stack")
    assert " +   ├─ demo:network:Network" in body[1]
    assert " +   │  ├─ aws:ec2:Vpc" in body[2]
    assert " +   │  └─ aws:ec2:Subnet" in body[3]
    assert " +   ├─ aws:iam:Role" in body[4]
    assert " +   └─ aws:s3:Bucket" in body[5]
    assert all(line.endswith("create") for line in body)
    # Columns line up: every name starts at the same offset.
    offsets = {line.rindex(name) for line, name in zip(body, ["demo-dev", "network", "network-vpc"], strict=False)}
    assert len(offsets) == 1


def test_tree_survives_a_resource_that_parents_itself() -> None:
    loop = res("loop", "demo:x:Y")
    loop.parent = loop.urn
    assert len(resource_tree([loop])) == 2


def test_count_includes_stack_and_components() -> None:
    assert resource_count([res("a", "x:y:Z"), res("b", "x:y:Z")]) == ["Resources:", "    + 2 to create"]


def test_outputs_are_sorted_aligned_and_hide_secrets() -> None:
    lines = outputs(
        {
            "zeta": [1.0, "a"],
            "ip": "198.51.100.7",
            "token": {SIG_KEY: SECRET_SIG, "value": "s3cr3t"},
            "tags": {"b": True, "a": None},
            "later": UNKNOWN,
        }
    )
    text = "\n".join(lines)
    assert "s3cr3t" not in text
    assert lines == [
        "Outputs:",
        '    ip   : "198.51.100.7"',
        "    later: output<unknown>",
        "    tags : {",
        "        a: <null>",
        "        b: true",
        "    }",
        "    token: [secret]",
        "    zeta : [",
        "        [0]: 1",
        '        [1]: "a"',
        "    ]",
    ]


def test_no_outputs_prints_nothing() -> None:
    assert outputs({}) == []
