"""offline/exposure.py: the Exposure section, the report's ``exposures`` and the diagram's internet edges."""

from __future__ import annotations

import copy
import json
from typing import Any

import jsonschema
import pytest

from offline.diagram import build
from offline.exposure import ExposureReport, includes_public, stack_exposures
from offline.harness import ProgramRun
from offline.report import REPORT_SCHEMA, report_dict
from tests.conftest import RunMain
from tests.policies.test_first_preview import first_preview

SCHEMA = json.loads(REPORT_SCHEMA.read_text())
PROD = {"production": "true", "azCount": "2", "minSize": "1", "desiredCapacity": "2", "maxSize": "4"}


@pytest.fixture(scope="module")
def dev_run() -> ProgramRun:
    from offline.preview import run_stack_program
    from offline.project import load_stack
    from tests.conftest import REPO

    return run_stack_program(load_stack(REPO, "dev")).check()


def rows(report: ExposureReport) -> list[tuple[str, str, Any, list[str]]]:
    return [(e.name, e.protocol, e.port, e.sources) for e in report.exposures]


def test_dev_shows_exactly_the_operator_ssh(dev_run: ProgramRun) -> None:
    report = stack_exposures(dev_run.resources)
    assert rows(report) == [("compute-instance", "tcp", 22, ["203.0.113.10/32"])]
    [line] = report.lines()[1:]
    assert line.startswith("    tcp/22 from 203.0.113.10/32: internet → igw-")
    assert "(0.0.0.0/0) → subnet-" in line and "→ public IP → sg-" in line
    assert line.endswith("tcp/22 from 203.0.113.10/32 → instance compute-instance")
    [exposure] = report.exposures
    types = [next(r.type for r in dev_run.resources if r.urn == u).rsplit(":", 1)[1] for u in exposure.path]
    assert types == [
        "InternetGateway",
        "RouteTable",
        "Subnet",
        "SecurityGroup",
        "SecurityGroupIngressRule",
        "Instance",
    ]


def test_prod_shows_the_listener_port_only(run_main: RunMain) -> None:
    run = run_main(stack="prod", **PROD).check()
    report = stack_exposures(run.resources)
    assert rows(report) == [("compute-alb", "tcp", 80, ["0.0.0.0/0"])]
    assert "listener compute-http → load balancer compute-alb" in report.lines()[1]


def test_prod_with_tls_shows_both_listeners(run_main: RunMain) -> None:
    cert = "arn:aws:acm:us-east-1:123456789012:certificate/12345678-1234-1234-1234-123456789012"
    run = run_main(stack="prod", certificateArn=cert, **PROD).check()
    assert [(e.port, e.sources) for e in stack_exposures(run.resources).exposures] == [
        (80, ["0.0.0.0/0"]),
        (443, ["0.0.0.0/0"]),
    ]


def test_first_preview_traces_the_same_exposure() -> None:
    report = stack_exposures(first_preview("dev").resources)
    assert report.not_decided is None
    assert rows(report) == [("compute-instance", "tcp", 22, ["203.0.113.10/32"])]


def test_exposures_fit_the_report_schema(dev_run: ProgramRun) -> None:
    report = stack_exposures(dev_run.resources)
    document = report_dict("dev", dev_run.resources, [], exposures=report.exposures)
    jsonschema.Draft202012Validator(SCHEMA).validate(document)
    assert set(document["exposures"][0]) == {"urn", "type", "name", "protocol", "port", "sources", "path"}
    broken = copy.deepcopy(document)
    broken["exposures"][0]["port"] = "22"
    assert list(jsonschema.Draft202012Validator(SCHEMA).iter_errors(broken))


def test_an_undecidable_stack_says_so(dev_run: ProgramRun) -> None:
    resources = copy.deepcopy(dev_run.resources)
    instance = next(r for r in resources if r.type == "aws:ec2/instance:Instance")
    instance.outputs["associatePublicIpAddress"] = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
    report = stack_exposures(resources)
    assert report.exposures == [] and report.not_decided is not None
    assert "cannot be decided yet" in report.lines()[1]


def test_nothing_exposed_is_said_too(dev_run: ProgramRun) -> None:
    resources = copy.deepcopy(dev_run.resources)
    instance = next(r for r in resources if r.type == "aws:ec2/instance:Instance")
    instance.outputs["associatePublicIpAddress"] = False
    assert stack_exposures(resources).lines() == [
        "Exposure:",
        "    nothing in this stack is reachable from the internet",
    ]


def first_lines(drawn: Any) -> set[tuple[str, str, str]]:
    labels = {n.id: n.label.splitlines()[0] for n in drawn.nodes.values()}
    return {(labels[e.source], labels[e.target], e.label) for e in drawn.edges}


def test_diagram_draws_the_internet_from_exposures(dev_run: ProgramRun) -> None:
    report = stack_exposures(dev_run.resources)
    found = first_lines(build(dev_run.resources, exposures=report.exposures))
    assert (
        "operator 203.0.113.10/32",
        "EC2 instance compute-instance",
        "tcp/22 via network-igw from 203.0.113.10/32",
    ) in found
    assert ("Internet Gateway network-igw", "Internet", "egress") in found
    # The rule alone no longer draws the internet's edge into the security group.
    assert [e for e in found if e[0].startswith(("operator", "Internet")) and e[1].startswith("security group")] == []
    without = first_lines(build(dev_run.resources))
    assert ("operator 203.0.113.10/32", "security group compute-instance-sg", "tcp/22 from 203.0.113.10/32") in without


def test_diagram_draws_no_internet_edge_to_what_is_not_exposed(dev_run: ProgramRun) -> None:
    resources = copy.deepcopy(dev_run.resources)
    instance = next(r for r in resources if r.type == "aws:ec2/instance:Instance")
    instance.outputs["associatePublicIpAddress"] = False
    found = first_lines(build(resources, exposures=stack_exposures(resources).exposures))
    assert [e for e in found if e[0].startswith("operator")] == []


@pytest.mark.parametrize(("cidr", "public"), [("0.0.0.0/0", True), ("10.0.0.0/8", False), ("pl-123", True)])
def test_includes_public(cidr: str, public: bool) -> None:
    assert includes_public(cidr) is public


def test_default_vpc_mode_assumes_the_subnets_aws_creates(run_main: RunMain) -> None:
    """Looked-up default subnets are not in the stack: they count as public subnets behind the VPC's gateway."""
    run = run_main(useDefaultVpc="true").check()
    [exposure] = stack_exposures(run.resources).exposures
    assert (exposure.port, exposure.sources) == (22, ["203.0.113.10/32"])
    assert "(outside this stack: a default-VPC subnet assumed) → public IP" in exposure.narrative
