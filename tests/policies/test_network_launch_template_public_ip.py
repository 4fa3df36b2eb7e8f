"""launch-template-no-public-ip: string booleans, unset values and the subnets that decide them."""

from __future__ import annotations

import pytest
from guardrails.network.launch_template_public_ip import POLICY
from pulumi_policy.proxy import UnknownValueError

from tests.policies.harness import UNKNOWN, stack_violations
from tests.policies.network_fixtures import Spec, production_spec, subnet, to_stack, urn

LT = "aws:ec2/launchTemplate:LaunchTemplate"


def run(specs: dict[str, Spec], config: dict | None = None) -> list[tuple[str, str | None]]:
    return stack_violations(POLICY, to_stack(specs), config)


def test_production_template_passes() -> None:
    assert run(production_spec()) == []


@pytest.mark.parametrize("value", ["false", "FALSE", " False ", False])
def test_false_in_any_spelling_passes(value: object) -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"] = value
    assert run(specs) == []


@pytest.mark.parametrize("value", ["true", "TRUE", True])
def test_true_violates_with_the_template_urn(value: object) -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"] = value
    ((message, where),) = run(specs)
    assert 'networkInterfaces[0].associatePublicIpAddress is "true"' in message
    assert where == urn(LT, "app-lt")


@pytest.mark.parametrize("value", ["yes", "0", 1.0, {"a": 1}, ["false"]])
def test_unreadable_value_violates(value: object) -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"] = value
    ((message, _),) = run(specs)
    assert "not a readable boolean" in message


def test_second_interface_with_public_ip_is_not_hidden_by_first() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"].append({"deviceIndex": 1.0, "associatePublicIpAddress": "true"})
    ((message, _),) = run(specs)
    assert message.endswith('networkInterfaces[1].associatePublicIpAddress is "true"')


def test_unset_passes_when_every_launch_subnet_is_private() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    assert run(specs) == []


def test_unset_violates_when_requireExplicitFalse() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    ((message, _),) = run(specs, {"requireExplicitFalse": True})
    assert "associatePublicIpAddress is unset" in message


def test_unset_violates_when_a_launch_subnet_maps_public_ips() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", "subnet-0public-b"]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["private-a", "public-b"]
    ((message, _),) = run(specs)
    assert "aws:ec2/subnet:Subnet 'public-b' maps public IPs on launch" in message


def test_no_interfaces_follows_the_subnets() -> None:
    specs = production_spec()
    specs["app-lt"].props.pop("networkInterfaces")
    specs["app-lt"].props["vpcSecurityGroupIds"] = ["sg-0app-sg"]
    assert run(specs) == []
    specs["private-a"].props["mapPublicIpOnLaunch"] = "true"
    ((message, _),) = run(specs)
    assert message.startswith("aws:ec2/launchTemplate:LaunchTemplate 'app-lt' no networkInterfaces:")


def test_default_subnet_maps_public_ips_unless_told_otherwise() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    default = subnet("default-a", "us-east-1a")
    default.type = "aws:ec2/defaultSubnet:DefaultSubnet"
    del default.props["mapPublicIpOnLaunch"]
    specs["default-a"] = default
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0default-a", "subnet-0private-b"]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["default-a", "private-b"]
    ((message, _),) = run(specs)
    assert "'default-a' maps public IPs" in message


def test_unused_template_with_unset_value_fails_closed() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    del specs["app-asg"]
    ((message, _),) = run(specs)
    assert message == (
        "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' networkInterfaces[0]: associatePublicIpAddress is unset and "
        "no launch subnet is visible in this stack, so the subnet's mapPublicIpOnLaunch may give instances a public IP"
    )


def test_launch_subnet_outside_stack_fails_closed() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", "subnet-0elsewhere"]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["private-a"]
    ((message, _),) = run(specs)
    assert message.endswith(
        "launch subnet 'subnet-0elsewhere' is not in this stack, so its mapPublicIpOnLaunch cannot be checked"
    )


def test_interface_subnet_decides_for_its_interface() -> None:
    specs = production_spec()
    interface = specs["app-lt"].props["networkInterfaces"][0]
    del interface["associatePublicIpAddress"]
    interface["subnetId"] = "subnet-0public-a"
    specs["app-lt"].deps["networkInterfaces"] = ["app-sg", "public-a"]
    ((message, _),) = run(specs)
    assert "'public-a' maps public IPs" in message


@pytest.mark.parametrize("public", [False, True])
def test_at_first_preview_the_group_s_subnets_are_found_through_its_dependencies(public: bool) -> None:
    """The subnets are being created: their ids are unknown, their mapPublicIpOnLaunch (from config) is known."""
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    specs["private-b"].props["mapPublicIpOnLaunch"] = public
    for name in ("private-a", "private-b"):
        specs[name].props.update(id=UNKNOWN, arn=UNKNOWN)
    specs["app-asg"].props["vpcZoneIdentifiers"] = [UNKNOWN, UNKNOWN]
    expected = [
        (
            "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' networkInterfaces[0]: associatePublicIpAddress is unset "
            "and aws:ec2/subnet:Subnet 'private-b' maps public IPs on launch",
            urn(LT, "app-lt"),
        )
    ]
    assert run(specs) == (expected if public else [])


@pytest.mark.parametrize("subnet_name", ["private-a", "public-a"])
def test_at_first_preview_the_interface_s_subnet_is_found_through_the_template_s_dependency(subnet_name: str) -> None:
    specs = production_spec()
    interface = specs["app-lt"].props["networkInterfaces"][0]
    del interface["associatePublicIpAddress"]
    interface["subnetId"] = UNKNOWN
    specs[subnet_name].props.update(id=UNKNOWN, arn=UNKNOWN)
    specs["app-lt"].deps["networkInterfaces"] = ["app-sg", subnet_name]
    messages = [message for message, _ in run(specs)]
    if subnet_name == "private-a":
        assert messages == []
    else:
        assert messages == [
            "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' networkInterfaces[0]: associatePublicIpAddress is unset "
            "and aws:ec2/subnet:Subnet 'public-a' maps public IPs on launch"
        ]


def test_at_first_preview_a_launch_subnet_no_dependency_names_cannot_be_judged() -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    specs["app-asg"].props["vpcZoneIdentifiers"] = ["subnet-0private-a", UNKNOWN]
    specs["app-asg"].deps["vpcZoneIdentifiers"] = ["private-a"]
    with pytest.raises(UnknownValueError) as raised:
        run(specs)
    assert raised.value.message.endswith("value at .vpcZoneIdentifiers can't be known during preview")


@pytest.mark.parametrize("template", ["by id", "by name", "by unknown id"])
@pytest.mark.parametrize("first_preview", [False, True])
def test_instance_using_template_counts_as_launcher(first_preview: bool, template: str) -> None:
    specs = production_spec()
    del specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"]
    del specs["app-asg"]
    specs["one"] = Spec(
        "aws:ec2/instance:Instance",
        {"id": "i-0one", "subnetId": "subnet-0public-a", "launchTemplate": {"id": "lt-0app"}},
        {"subnetId": ["public-a"], "launchTemplate": ["app-lt"]},
    )
    if template == "by name":
        specs["one"].props["launchTemplate"] = {"name": "app-lt-3e9f"}
    elif template == "by unknown id":  # the template is new: the instance names it through its dependency
        specs["app-lt"].props.update(id=UNKNOWN, arn=UNKNOWN, name=UNKNOWN)
        specs["one"].props["launchTemplate"] = {"id": UNKNOWN}
    if first_preview:  # the subnet is being created; the instance names it through its dependency
        specs["public-a"].props.update(id=UNKNOWN, arn=UNKNOWN)
        specs["one"].props["subnetId"] = UNKNOWN
    ((message, _),) = run(specs)
    assert message.endswith(
        "associatePublicIpAddress is unset and aws:ec2/subnet:Subnet 'public-a' maps public IPs on launch"
    )


def test_non_object_interface_violates() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"] = ["eth0", {"deviceIndex": 1.0, "associatePublicIpAddress": "true"}]
    assert [message for message, _ in run(specs)] == [
        "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' networkInterfaces[0] is not an object, so its public IP "
        "setting cannot be read",
        "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' networkInterfaces[1].associatePublicIpAddress is \"true\"",
    ]


def test_no_interfaces_violates_when_requireExplicitFalse() -> None:
    specs = production_spec()
    specs["app-lt"].props.pop("networkInterfaces")
    assert run(specs, {"requireExplicitFalse": True}) == [
        (
            "aws:ec2/launchTemplate:LaunchTemplate 'app-lt' no networkInterfaces: no interface sets "
            'associatePublicIpAddress to "false"',
            urn(LT, "app-lt"),
        )
    ]


def test_unknown_flag_raises_through_the_sdk_path() -> None:
    specs = production_spec()
    specs["app-lt"].props["networkInterfaces"][0]["associatePublicIpAddress"] = UNKNOWN
    with pytest.raises(UnknownValueError):
        run(specs)


def test_stack_without_templates_passes() -> None:
    specs = production_spec()
    del specs["app-lt"]
    assert run(specs) == []
