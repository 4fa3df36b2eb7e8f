"""The rollout provider as the Pulumi CLI runs it: its own process, spoken to over gRPC, calling moto's server.

The CLI starts a Python dynamic provider through ``pulumi-resource-pulumi-python`` (pulumi/pulumi
``sdk/python/dist``), which runs ``$PWD/venv/bin/python -u -m pulumi.dynamic <engine address>`` with the
project root as working directory (``NewProvider`` in ``sdk/go/common/resource/plugin/provider_plugin.go``
passes ``ctx.Pwd``, the argument ``host.ServerAddr()``, and the environment plus ``PULUMI_RUNTIME_<option>``
for each Pulumi.yaml runtime option, ``PULUMI_PROJECT`` and ``PULUMI_CONFIG``). The process prints its port,
then the engine calls ``GetPluginInfo``, ``Configure``, ``Check``, ``Diff``, ``Create`` and ``Update``.

The inputs are the ones the real prod program registers for the rollout under the project's mocks, taken
off the wire (``RegisterResource``'s ``object``, with the ``__provider`` the SDK serialized), with only the
group name and template id replaced by the ones moto's server gave the group and template it created.
moto has no ``StartInstanceRefresh`` (5.2.5 and 5.2.6 answer it with HTTP 500): the Update test proves what
the provider sends AWS (moto's request recorder keeps the botocore-serialized request) and that it surfaces
the refusal; the refresh's own verdict (Successful, RollbackSuccessful, ...) is covered with botocore's
Stubber in test_rollout.py and test_refresh.py.
"""

from __future__ import annotations

import json
import os
import subprocess
import urllib.parse
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import grpc
import pytest
from google.protobuf import empty_pb2, struct_pb2
from pulumi.runtime.proto import provider_pb2, provider_pb2_grpc

from offline import harness
from offline.harness import program_from_file, run_program
from offline.mockcloud import MockCloud
from tests.conftest import PROJECT, REPO, stack_file_config
from tests.motoserver import free_port, moto_server

pytestmark = pytest.mark.subprocess

ROLLOUT_TYPE = "pulumi-python:dynamic/autoscaling:Rollout"
VENV_PYTHON = REPO / "venv" / "bin" / "python"
REGION = "us-east-1"


def _aws_env(endpoint: str, tmp_path: Path) -> dict[str, str]:
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_SHARED_CREDENTIALS_FILE": str(empty),
        "AWS_CONFIG_FILE": str(empty),
        "AWS_EC2_METADATA_DISABLED": "true",
    }


@dataclass
class Moto:
    url: str
    recording: Path

    def client(self, service: str) -> Any:
        return boto3.client(
            service,
            endpoint_url=self.url,
            region_name=REGION,
            aws_access_key_id="testing",
            aws_secret_access_key="testing",
        )

    def requests(self, action: str) -> list[dict[str, list[str]]]:
        """The form bodies of every recorded request for ``action`` (the Query protocol Auto Scaling speaks)."""
        found = []
        for line in self.recording.read_text().splitlines():
            entry = json.loads(line)
            body = entry.get("body") or ""
            if entry.get("body_encoded"):
                import base64

                body = base64.b64decode(body).decode()
            form = urllib.parse.parse_qs(body)
            if form.get("Action") == [action]:
                found.append(form)
        return found


@pytest.fixture(scope="module")
def moto(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Moto]:
    """moto's server on a free loopback port, recording every request it receives."""
    recording = tmp_path_factory.mktemp("moto") / "recording.jsonl"
    with moto_server({"MOTO_ENABLE_RECORDING": "true", "MOTO_RECORDER_FILEPATH": str(recording)}) as url:
        yield Moto(url, recording)


@dataclass
class Fleet:
    """A launch template with versions 1 and 2 and a group launching from version 1, in moto."""

    group: str
    template_id: str


@pytest.fixture(scope="module")
def fleet(moto: Moto) -> Fleet:
    ec2, autoscaling = moto.client("ec2"), moto.client("autoscaling")
    template = ec2.create_launch_template(
        LaunchTemplateName="compute-lt", LaunchTemplateData={"ImageId": "ami-12c6146b", "InstanceType": "t3.micro"}
    )["LaunchTemplate"]
    ec2.create_launch_template_version(
        LaunchTemplateId=template["LaunchTemplateId"],
        LaunchTemplateData={"ImageId": "ami-0fedcba9876543210", "InstanceType": "t3.micro"},
    )
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName="compute-asg-moto",
        LaunchTemplate={"LaunchTemplateId": template["LaunchTemplateId"], "Version": "1"},
        MinSize=1,
        MaxSize=4,
        DesiredCapacity=2,
        AvailabilityZones=[f"{REGION}a", f"{REGION}b"],
    )
    return Fleet("compute-asg-moto", str(template["LaunchTemplateId"]))


@dataclass
class Registered:
    urn: str
    inputs: struct_pb2.Struct


@pytest.fixture(scope="module")
def registered() -> Registered:
    """The rollout exactly as the prod program sends it to the engine: RegisterResource's wire object."""
    captured: list[Any] = []

    class Capturing(harness.RecordingMonitor):
        def RegisterResource(self, request: Any) -> Any:
            response = super().RegisterResource(request)
            if request.type == ROLLOUT_TYPE:
                wire = struct_pb2.Struct()
                wire.CopyFrom(request.object)
                captured.append((self.make_urn(request.parent, request.type, request.name), wire))
            return response

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(harness, "RecordingMonitor", Capturing)
        run_program(
            program_from_file(REPO / "__main__.py"),
            MockCloud(region=REGION),
            project=PROJECT,
            stack="prod",
            config=stack_file_config("prod"),
        ).check()
    ((urn, wire),) = captured
    return Registered(urn, wire)


def with_values(struct: struct_pb2.Struct, **values: Any) -> struct_pb2.Struct:
    copy = struct_pb2.Struct()
    copy.CopyFrom(struct)
    copy.update(values)
    return copy


@dataclass
class ProviderProcess:
    stub: provider_pb2_grpc.ResourceProviderStub
    stderr: Path


@pytest.fixture
def provider(moto: Moto, tmp_path: Path) -> Iterator[ProviderProcess]:
    """``venv/bin/python -u -m pulumi.dynamic <engine>`` from the project root, with the CLI's environment."""
    assert VENV_PYTHON.exists(), "make venv first: the CLI runs the project's venv/bin/python, not this interpreter"
    env = {
        key: value
        for key, value in os.environ.items()
        if key not in ("PYTHONPATH", "PYTHONHOME") and not key.startswith(("AWS_", "PULUMI_"))
    }
    env.update(
        {
            # pulumi-resource-pulumi-python puts the virtualenv first on PATH.
            "PATH": f"{REPO / 'venv' / 'bin'}{os.pathsep}{env.get('PATH', '')}",
            # Pulumi.yaml's runtime options, PULUMI_RUNTIME_<OPTION>, and the project's name; PULUMI_CONFIG
            # holds the stack config in the provider's own namespace (pulumi-python: none).
            "PULUMI_RUNTIME_TOOLCHAIN": "pip",
            "PULUMI_RUNTIME_VIRTUALENV": "venv",
            "PULUMI_PROJECT": PROJECT,
            "PULUMI_CONFIG": "{}",
            **_aws_env(moto.url, tmp_path),
        }
    )
    # No engine here: the dynamic provider takes the address but never dials it (pulumi/pulumi#6065).
    engine = f"127.0.0.1:{free_port()}"
    stderr = tmp_path / "provider.stderr"
    with stderr.open("w") as err:
        process = subprocess.Popen(
            [str(VENV_PYTHON), "-u", "-m", "pulumi.dynamic", engine],
            cwd=REPO,
            env=env,
            stdout=subprocess.PIPE,
            stderr=err,
        )
    try:
        assert process.stdout is not None
        first_line = process.stdout.readline().decode().strip()
        assert first_line.isdigit(), f"the provider printed no port; its stderr: {stderr.read_text()}"
        port = int(first_line)
        channel = grpc.insecure_channel(f"127.0.0.1:{port}")
        grpc.channel_ready_future(channel).result(timeout=30)
        yield ProviderProcess(provider_pb2_grpc.ResourceProviderStub(channel), stderr)
        channel.close()
    finally:
        process.terminate()
        process.wait(timeout=10)


def configure(stub: provider_pb2_grpc.ResourceProviderStub) -> None:
    """What the engine sends first: the plugin's info, then Configure with the (empty) provider config."""
    assert stub.GetPluginInfo(empty_pb2.Empty()).version
    stub.Configure(
        provider_pb2.ConfigureRequest(variables={}, args=struct_pb2.Struct(), acceptSecrets=True, acceptResources=True)
    )


def create(stub: provider_pb2_grpc.ResourceProviderStub, urn: str, news: struct_pb2.Struct) -> Any:
    checked = stub.Check(provider_pb2.CheckRequest(urn=urn, olds=struct_pb2.Struct(), news=news))
    assert list(checked.failures) == []
    return stub.Create(provider_pb2.CreateRequest(urn=urn, properties=checked.inputs, timeout=600))


def test_the_program_registers_the_provider_by_reference_and_aws_settings_of_its_stack(
    registered: Registered,
) -> None:
    inputs = dict(registered.inputs)
    assert inputs["__provider"], "the SDK serializes the provider into __provider"
    assert inputs["region"] == REGION and list(inputs["assumeRoles"]) == []
    assert inputs["launchTemplateVersion"] == "1"
    assert inputs["timeoutSeconds"] == 1800.0 and len(inputs["alarmNames"]) == 2


def test_create_gets_the_groups_version_from_aws_and_refreshes_nothing(
    provider: ProviderProcess, registered: Registered, fleet: Fleet, moto: Moto
) -> None:
    configure(provider.stub)
    news = with_values(registered.inputs, autoScalingGroupName=fleet.group, launchTemplateId=fleet.template_id)
    refreshes_before = len(moto.requests("StartInstanceRefresh"))

    created = create(provider.stub, registered.urn, news)

    assert created.id == fleet.group
    outs = dict(created.properties)
    assert (outs["status"], outs["instanceRefreshId"]) == ("Unchanged", "")
    assert outs["__provider"] == dict(registered.inputs)["__provider"]
    described = moto.requests("DescribeAutoScalingGroups")
    assert described and described[-1]["AutoScalingGroupNames.member.1"] == [fleet.group]
    assert len(moto.requests("StartInstanceRefresh")) == refreshes_before


def test_check_returns_the_providers_failures_over_grpc(provider: ProviderProcess, registered: Registered) -> None:
    configure(provider.stub)
    news = with_values(registered.inputs, minHealthyPercentage=40.0, maxHealthyPercentage=150.0)

    checked = provider.stub.Check(provider_pb2.CheckRequest(urn=registered.urn, olds=struct_pb2.Struct(), news=news))

    assert [(f.property, f.reason) for f in checked.failures] == [
        ("maxHealthyPercentage", "may exceed the minimum by 100 at most")
    ]


def test_a_new_version_diffs_as_an_update_and_reaches_aws_as_start_instance_refresh(
    provider: ProviderProcess, registered: Registered, fleet: Fleet, moto: Moto
) -> None:
    configure(provider.stub)
    first = with_values(registered.inputs, autoScalingGroupName=fleet.group, launchTemplateId=fleet.template_id)
    created = create(provider.stub, registered.urn, first)
    # The next `pulumi up`: the template's new version and image, everything else as registered.
    bumped = with_values(first, launchTemplateVersion="2", imageId="ami-0fedcba9876543210")
    checked = provider.stub.Check(provider_pb2.CheckRequest(urn=registered.urn, olds=first, news=bumped))
    assert list(checked.failures) == []

    same = provider.stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=registered.urn, olds=created.properties, news=first)
    )
    diff = provider.stub.Diff(
        provider_pb2.DiffRequest(id=created.id, urn=registered.urn, olds=created.properties, news=checked.inputs)
    )
    assert same.changes == provider_pb2.DiffResponse.DIFF_NONE
    assert diff.changes == provider_pb2.DiffResponse.DIFF_SOME and list(diff.replaces) == []

    with pytest.raises(grpc.RpcError) as refused:
        provider.stub.Update(
            provider_pb2.UpdateRequest(
                id=created.id, urn=registered.urn, olds=created.properties, news=checked.inputs, timeout=600
            )
        )

    # moto answers StartInstanceRefresh with HTTP 500; the provider fails the update with one line naming
    # the version, the group and the AWS call's failure, which the CLI prints for the resource.
    assert refused.value.code() == grpc.StatusCode.UNKNOWN
    details = str(refused.value.details())
    assert f"rollout of version 2 onto {fleet.group} failed calling AWS" in details
    # One request: botocore does not retry a 500 whose body is not AWS's XML (ResponseParserError).
    sent = moto.requests("StartInstanceRefresh")
    assert len(sent) == 1
    alarms = [str(name) for name in dict(registered.inputs)["alarmNames"]]
    assert sent[0] == {
        "Action": ["StartInstanceRefresh"],
        "Version": ["2011-01-01"],
        "AutoScalingGroupName": [fleet.group],
        "Strategy": ["Rolling"],
        "DesiredConfiguration.LaunchTemplate.LaunchTemplateId": [fleet.template_id],
        "DesiredConfiguration.LaunchTemplate.Version": ["2"],
        "Preferences.MinHealthyPercentage": ["100"],
        "Preferences.MaxHealthyPercentage": ["150"],
        "Preferences.InstanceWarmup": ["120"],
        "Preferences.SkipMatching": ["false"],
        "Preferences.AutoRollback": ["true"],
        "Preferences.ScaleInProtectedInstances": ["Refresh"],
        "Preferences.StandbyInstances": ["Terminate"],
        "Preferences.AlarmSpecification.Alarms.member.1": [alarms[0]],
        "Preferences.AlarmSpecification.Alarms.member.2": [alarms[1]],
    }
    logged = provider.stderr.read_text()
    assert f"rolling out launch template {fleet.template_id} version 2 onto {fleet.group}" in logged


def test_update_of_a_group_aws_already_runs_on_the_version_starts_no_refresh(
    provider: ProviderProcess, registered: Registered, fleet: Fleet, moto: Moto
) -> None:
    """An earlier refresh that outlived `pulumi up`'s timeout brought the group there; AWS (moto) says so."""
    configure(provider.stub)
    autoscaling = moto.client("autoscaling")
    group = "compute-asg-already-there"
    autoscaling.create_auto_scaling_group(
        AutoScalingGroupName=group,
        LaunchTemplate={"LaunchTemplateId": fleet.template_id, "Version": "1"},
        MinSize=1,
        MaxSize=2,
        AvailabilityZones=[f"{REGION}a"],
    )
    first = with_values(registered.inputs, autoScalingGroupName=group, launchTemplateId=fleet.template_id)
    created = create(provider.stub, registered.urn, first)
    assert dict(created.properties)["status"] == "Unchanged"
    # The refresh's end state: AWS writes the desired configuration onto the group once it succeeds.
    autoscaling.update_auto_scaling_group(
        AutoScalingGroupName=group, LaunchTemplate={"LaunchTemplateId": fleet.template_id, "Version": "2"}
    )
    refreshes_before = len(moto.requests("StartInstanceRefresh"))
    bumped = with_values(first, launchTemplateVersion="2")

    updated = provider.stub.Update(
        provider_pb2.UpdateRequest(id=created.id, urn=registered.urn, olds=created.properties, news=bumped, timeout=60)
    )

    assert dict(updated.properties)["status"] == "Unchanged"
    assert len(moto.requests("StartInstanceRefresh")) == refreshes_before
    assert f"group {group} already launches from version 2; no refresh" in provider.stderr.read_text()
