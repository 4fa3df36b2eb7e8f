"""The real program under the strict mock cloud: every README config passes AWS's API-side rules, and
what AWS refuses fails the run (and ``make preview``) with AWS's error code, the resource, the property
and the rule, exactly where ``pulumi up`` would fail."""

from __future__ import annotations

import io
from collections.abc import Callable
from typing import Any

import pulumi
import pulumi_aws as aws
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ed25519

from offline.harness import program_from_file, run_program
from offline.mockcloud import CloudRuleError, FirstPreviewCloud, MockCloud
from offline.preview import EXIT_FAILED, EXIT_OK, PreviewOptions, preview
from tests.conftest import PROJECT, REPO, RunMain, RunStack, qualified, stack_file_config

CERT = "arn:aws:acm:us-east-1:123456789012:certificate/11111111-2222-3333-4444-555555555555"
KEY = (
    ed25519.Ed25519PrivateKey.generate()
    .public_key()
    .public_bytes(serialization.Encoding.OpenSSH, serialization.PublicFormat.OpenSSH)
    .decode()
)

# Every config the README documents, as (stack, keys over Pulumi.<stack>.yaml).
README_CONFIGS: dict[str, tuple[str, dict[str, str]]] = {
    "dev": ("dev", {}),
    "dev-with-key": ("dev", {"sshPublicKey": KEY}),
    "dev-default-vpc": ("dev", {"useDefaultVpc": "true"}),
    "prod": ("prod", {}),
    "prod-https-green": ("prod", {"certificateArn": CERT, "green": '{"amiId": "ami-0abc1234def567890", "weight": 10}'}),
    "prod-single-nat-3az": ("prod", {"natGateways": "single", "azCount": "3"}),
}


@pytest.mark.parametrize("label", sorted(README_CONFIGS))
def test_every_readme_config_passes_the_strict_cloud(label: str, run_stack: RunStack) -> None:
    stack, keys = README_CONFIGS[label]
    cloud = MockCloud()
    run = run_stack(stack, mocks=cloud, **keys)
    assert run.error is None, str(run.error)
    # The rules saw every managed resource the program created.
    created = {r.urn for r in cloud.world.by_urn.values()}
    assert {r.urn for r in run.managed()} <= created
    assert len(run.managed()) >= 7


@pytest.mark.parametrize("label", sorted(README_CONFIGS))
def test_every_readme_config_passes_a_first_preview(label: str) -> None:
    """Ids are unknown before the first `up`: the rules still check every known input, and refuse nothing else."""
    stack, keys = README_CONFIGS[label]
    config = {**stack_file_config(stack), **qualified(keys)}
    cloud = FirstPreviewCloud()
    run = run_program(
        program_from_file(REPO / "__main__.py"), cloud, project=PROJECT, stack=stack, config=config, preview=True
    )
    assert run.error is None, str(run.error)
    assert len(cloud.world.by_urn) >= len(run.managed())


@pytest.fixture
def wrap(
    monkeypatch: pytest.MonkeyPatch,
) -> Callable[[Any, str, Callable[[str, dict[str, Any]], dict[str, Any]]], None]:
    """``wrap(module, "Class", change)``: the program constructs ``Class`` with ``change(name, kwargs)``."""

    def install(module: Any, attribute: str, change: Callable[[str, dict[str, Any]], dict[str, Any]]) -> None:
        real = getattr(module, attribute)

        def build(resource_name: str, *args: Any, **kwargs: Any) -> Any:
            return real(resource_name, *args, **change(resource_name, dict(kwargs)))

        monkeypatch.setattr(module, attribute, build)

    return install


def _apostrophe(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "description": "SSH from the operator's one host"} if name == "compute-ssh" else kwargs


def _long_alb_name(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    return {**kwargs, "name": "a" * 33}


def _alb_without_gateway(name: str, kwargs: dict[str, Any]) -> dict[str, Any]:
    opts: pulumi.ResourceOptions = kwargs["opts"]
    # Only the gateway goes: the access-log bucket policy (an S3 resource) stays a dependency.
    kept = [d for d in opts.depends_on or [] if isinstance(d, aws.s3.BucketPolicy)]  # type: ignore[union-attr]
    return {**kwargs, "opts": pulumi.ResourceOptions(parent=opts.parent, depends_on=kept)}


EXAMPLES: dict[str, tuple[str, Any, str, Callable[[str, dict[str, Any]], dict[str, Any]], str]] = {
    "apostrophe": (
        "dev",
        aws.vpc,
        "SecurityGroupIngressRule",
        _apostrophe,
        'InvalidParameterValue: compute-ssh description: character "\'" is not allowed',
    ),
    "alb-name-33": (
        "prod",
        aws.lb,
        "LoadBalancer",
        _long_alb_name,
        'ValidationError: compute-alb name: "' + "a" * 33 + '" is 33 characters; at most 32',
    ),
    "alb-before-gateway": (
        "prod",
        aws.lb,
        "LoadBalancer",
        _alb_without_gateway,
        "InvalidSubnet: compute-alb dependsOn: VPC network-vpc has no internet gateway yet",
    ),
}


@pytest.mark.parametrize("label", sorted(EXAMPLES))
def test_the_issue_examples_fail_the_program_with_aws_error(label: str, run_stack: RunStack, wrap: Any) -> None:
    stack, module, attribute, change, message = EXAMPLES[label]
    wrap(module, attribute, change)
    run = run_stack(stack)
    assert isinstance(run.error, CloudRuleError), run.error
    assert str(run.error).startswith(message), str(run.error)
    assert isinstance(run.error, pulumi.RunError)


@pytest.mark.parametrize("label", sorted(EXAMPLES))
def test_the_issue_examples_fail_make_preview(label: str, wrap: Any, tmp_path: Any) -> None:
    stack, module, attribute, change, message = EXAMPLES[label]
    wrap(module, attribute, change)
    out, err = io.StringIO(), io.StringIO()
    result = preview(PreviewOptions(stack=stack, project_dir=REPO, policies=False, diagram=False), out, err)
    assert result.status == EXIT_FAILED
    assert err.getvalue().startswith(f"error: {message}"), err.getvalue()
    assert "Traceback" not in err.getvalue()


@pytest.mark.parametrize("stack", ["dev", "prod"])
def test_make_preview_passes_the_strict_cloud(stack: str) -> None:
    out, err = io.StringIO(), io.StringIO()
    result = preview(PreviewOptions(stack=stack, project_dir=REPO, policies=False, diagram=False), out, err)
    assert result.status == EXIT_OK, err.getvalue()


def test_the_internet_facing_alb_depends_on_the_gateway(run_stack: RunStack) -> None:
    run = run_stack("prod")
    alb = run.one("aws:lb/loadBalancer:LoadBalancer")
    gateway = run.one("aws:ec2/internetGateway:InternetGateway")
    assert gateway.urn in alb.dependencies


def test_the_lab_dev_stack_without_ssh_still_passes(run_main: RunMain) -> None:
    run = run_main(sshEnabled="false", base={"aws:region": "us-east-1"})
    assert run.error is None, str(run.error)


def test_rules_can_be_switched_off_for_tests_of_other_things(run_stack: RunStack, wrap: Any) -> None:
    wrap(aws.vpc, "SecurityGroupIngressRule", _apostrophe)
    assert run_stack("dev", mocks=MockCloud(cloud_rules=False)).error is None


def test_a_refusal_registers_nothing_more(run_stack: RunStack, wrap: Any) -> None:
    """Like `pulumi up`, the refused resource is not created (later ones may still be attempted)."""
    wrap(aws.vpc, "SecurityGroupIngressRule", _apostrophe)
    cloud = MockCloud()
    run_stack("dev", mocks=cloud)
    assert not [r for r in cloud.world.by_urn.values() if r.name == "compute-ssh"]


def test_a_first_preview_refuses_the_alb_before_the_gateway(wrap: Any) -> None:
    """Before the first `up` no id is known: the ordering rule follows property dependencies to the VPC."""
    wrap(aws.lb, "LoadBalancer", _alb_without_gateway)
    run = run_program(
        program_from_file(REPO / "__main__.py"),
        FirstPreviewCloud(),
        project=PROJECT,
        stack="prod",
        config=stack_file_config("prod"),
        preview=True,
    )
    assert isinstance(run.error, CloudRuleError)
    assert str(run.error).startswith("InvalidSubnet: compute-alb dependsOn: VPC network-vpc has no internet gateway")


def test_a_certificate_from_another_region_stops_at_config(run_stack: RunStack) -> None:
    """The cloud rule listener-certificate-region found it; config now refuses it before anything registers."""
    run = run_stack("prod", certificateArn=CERT.replace("us-east-1", "us-west-2"))
    assert isinstance(run.error, pulumi.RunError) and not isinstance(run.error, CloudRuleError)
    assert "certificateArn" in str(run.error) and "us-west-2" in str(run.error) and "us-east-1" in str(run.error)
    assert run.managed() == []


def test_a_certificate_from_another_region_is_what_aws_refuses(run_stack: RunStack, monkeypatch: Any) -> None:
    import components.config

    monkeypatch.setattr(components.config, "check_certificate_region", lambda config, access: None)
    run = run_stack("prod", certificateArn=CERT.replace("us-east-1", "us-west-2"))
    assert isinstance(run.error, CloudRuleError)
    assert str(run.error).startswith(
        "CertificateNotFound: compute-https certificateArn: the certificate is in us-west-2"
    )
