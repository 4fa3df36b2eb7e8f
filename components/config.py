"""The stack's typed config contract: every key, its type, its default, and how it is validated.

``parse_config`` is a pure function from the raw strings the engine hands a program (``pulumi.Config``
values are text; objects arrive as JSON text) to a frozen ``StackConfig``. It raises ``ConfigError``,
a ``pulumi.RunError``, whose one-line message names the key and the fix. The CLI prints a RunError's
message alone, without a traceback, and because ``__main__`` parses config before it builds anything,
a bad value stops ``pulumi up`` before a single resource is registered.
"""

from __future__ import annotations

import base64
import binascii
import difflib
import ipaddress
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Literal

import pulumi

from components.awsaccess import AssumeRole, AwsAccess

PROJECT = "aws-compute-foundations"

NatGateways = Literal["perAz", "single"]

SSH_CIDR_FIX = 'pulumi config set sshCidr "$(curl -s https://checkip.amazonaws.com)/32"'

# Keys of the project namespace; anything else under it is a typo worth stopping on.
KNOWN_KEYS = (
    "sshEnabled",
    "sshCidr",
    "sshPublicKey",
    "instanceType",
    "amiId",
    "useDefaultVpc",
    "vpcCidr",
    "azCount",
    "appBucket",
    "sessionManager",
    "production",
    "minSize",
    "desiredCapacity",
    "maxSize",
    "appPort",
    "healthCheckPath",
    "natGateways",
    "targetCpuPercent",
    "certificateArn",
    "deletionProtection",
    "green",
    "accessLogs",
    "accessLogDays",
    "logBucketForceDestroy",
    "detailedMonitoring",
    "waf",
    "rolloutTimeoutMinutes",
    "rollbackOnAlarms",
)

# Days S3 keeps an access log before the lifecycle rule expires it: a day to ten years.
ACCESS_LOG_DAYS_RANGE = (1, 3650)


class ConfigError(pulumi.RunError):
    """Invalid stack config. The message is one line: the key, what is wrong, and the fix."""

    def __init__(self, key: str, problem: str, fix: str) -> None:
        self.key = key
        # A key, a problem or a fix may echo what the user typed; keep the message on one line.
        text = f"config '{key}': {problem}. Fix: {fix}"
        super().__init__("".join(c if c.isprintable() else repr(c)[1:-1] for c in text))


@dataclass(frozen=True)
class AppBucket:
    """The S3 location the instance may read: the least-privilege permission example."""

    bucket: str
    # Object key prefix without leading or trailing slash; "" means the whole bucket.
    prefix: str = ""


@dataclass(frozen=True)
class GreenFleet:
    """A parallel ("green") fleet that validates a new AMI before traffic shifts to it."""

    ami_id: str
    # Instance type of the green fleet. @default the blue fleet's instanceType
    instance_type: str | None = None
    # Share of listener traffic (0-100) sent to green; blue gets the rest. @default 0
    weight: int = 0


@dataclass(frozen=True)
class StackConfig:
    """Validated stack config. Each field's default is the one a stack gets when the key is unset."""

    # Gates the production path (Launch Template, ASG, ALB). @default False (the lab stack)
    production: bool = False
    # Whether the lab instance admits SSH. Production never opens SSH. @default True
    ssh_enabled: bool = True
    # The operator's IPv4 address as a /32. Required while SSH is enabled. @default None
    ssh_cidr: str | None = None
    # OpenSSH public key for an EC2 key pair. @default None (no key pair; use Session Manager)
    ssh_public_key: str | None = None
    # EC2 instance type. @default "t3.micro"
    instance_type: str = "t3.micro"
    # AMI override. @default None (latest Amazon Linux 2023 from the public SSM parameter)
    ami_id: str | None = None
    # Use the account's default VPC and default subnets instead of a dedicated VPC. @default False
    use_default_vpc: bool = False
    # CIDR of the dedicated VPC. @default "10.0.0.0/16"
    vpc_cidr: str = "10.0.0.0/16"
    # Availability Zones the network spans. @default 2
    az_count: int = 2
    # S3 bucket (and optional prefix) the instance may read. @default None (no S3 permission)
    app_bucket: AppBucket | None = None
    # Attach AmazonSSMManagedInstanceCore so Session Manager works without SSH. @default True
    session_manager: bool = True
    # Production capacity. @default 1 / 2 / 4
    min_size: int = 1
    desired_capacity: int = 2
    max_size: int = 4
    # Port the instances serve on. @default 80
    app_port: int = 80
    # Path of the health endpoint the ALB checks. @default "/health"
    health_check_path: str = "/health"
    # NAT layout for private subnets. @default "perAz" (an AZ outage keeps the others' egress)
    nat_gateways: NatGateways = "perAz"
    # Target average CPU of the target-tracking scaling policy. @default 50.0
    target_cpu_percent: float = 50.0
    # ACM (or IAM server) certificate for an HTTPS listener. @default None (HTTP only)
    certificate_arn: str | None = None
    # ALB deletion protection (the ALB exists only in production). @default True
    deletion_protection: bool = True
    # A parallel green fleet for blue/green AMI rollouts. @default None
    green: GreenFleet | None = None
    # ALB access logs into an S3 bucket the stack creates. @default production (on in prod, off in the lab)
    access_logs: bool = False
    # Days an access log is kept before S3 expires it. @default 90
    access_log_days: int = 90
    # Let `pulumi destroy` delete the log bucket with its logs. @default False (logs survive a destroy)
    log_bucket_force_destroy: bool = False
    # 1-minute EC2 metrics on the instances. @default production (on in prod, off in the lab)
    detailed_monitoring: bool = False
    # A WAFv2 web ACL (AWS managed Common and KnownBadInputs rules) on the ALB. @default False (it costs money)
    waf: bool = False
    # Minutes `pulumi up` waits for an instance refresh's verdict before it fails with the command to
    # follow the refresh. @default 30
    rollout_timeout_minutes: int = 30
    # Roll a refresh back when the target group's unhealthy-host or 5xx alarm fires. @default True
    rollback_on_alarms: bool = True


# --- field parsers ---------------------------------------------------------------------------------

_TRUE = {"true"}
_FALSE = {"false"}


def _shown(value: str, limit: int = 60) -> str:
    text = value if len(value) <= limit else value[: limit - 3] + "..."
    return json.dumps(text)


def parse_bool(key: str, raw: str) -> bool:
    lowered = raw.strip().lower()
    if lowered in _TRUE:
        return True
    if lowered in _FALSE:
        return False
    raise ConfigError(key, f"{_shown(raw)} is not a boolean", f"pulumi config set {key} true (or false)")


def _setter(key: str) -> str:
    """The command that sets ``key``; a nested key (``green.weight``) needs ``--path``."""
    return f"pulumi config set --path {key}" if "." in key else f"pulumi config set {key}"


def parse_int(key: str, raw: str, *, low: int, high: int) -> int:
    setter = _setter(key)
    text = raw.strip()
    # [0-9], not \d: \d also matches other scripts' digits, which int() would quietly accept.
    if not re.fullmatch(r"[+-]?[0-9]+", text):
        raise ConfigError(key, f"{_shown(raw)} is not a whole number", f"{setter} <integer {low}-{high}>")
    # Long digit strings are out of range anyway, and int() refuses more than 4300 digits.
    if len(text) > 20:
        raise ConfigError(key, f"{_shown(raw)} is outside {low}-{high}", f"{setter} <integer {low}-{high}>")
    value = int(text)
    if not low <= value <= high:
        raise ConfigError(key, f"{value} is outside {low}-{high}", f"{setter} <integer {low}-{high}>")
    return value


def parse_ssh_cidr(raw: str) -> str:
    """The operator's address as a canonical single IPv4 host ``a.b.c.d/32``."""
    text = raw.strip()
    problem = None
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        problem = f"{_shown(raw)} is not a CIDR block"
    else:
        if network.version != 4:
            problem = f"{_shown(raw)} is IPv6; SSH is admitted from one IPv4 host only"
        elif "/" not in text:
            problem = f"{_shown(raw)} has no prefix length; write the host as {network.network_address}/32"
        elif network.prefixlen != 32:
            problem = f"{_shown(raw)} is not a single host /32; it admits {network.num_addresses} addresses"
        elif str(network) != text:
            problem = f"{_shown(raw)} is not in canonical form (expected {network})"
    if problem:
        raise ConfigError("sshCidr", problem, SSH_CIDR_FIX)
    return text


# EC2's ImportKeyPair takes RSA and ED25519 keys only; an ECDSA key would fail mid-`pulumi up`.
SSH_KEY_TYPES = ("ssh-ed25519", "ssh-rsa")
_UNIMPORTABLE_KEY_PREFIXES = ("ecdsa-sha2-", "ssh-dss", "sk-")
_MIN_RSA_BITS = 2048


def parse_ssh_public_key(raw: str) -> str:
    """An OpenSSH public key line that EC2 can import, checked down to its key material."""
    from cryptography.exceptions import UnsupportedAlgorithm
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.hazmat.primitives.serialization import load_ssh_public_key

    fix = 'pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)" (the .pub file, never the private key)'
    text = raw.strip()
    if "PRIVATE KEY" in text:
        raise ConfigError("sshPublicKey", "this is a private key; it must never leave your machine", fix)
    if "\n" in text or "\r" in text:
        raise ConfigError("sshPublicKey", "holds more than one line", fix)
    parts = text.split()
    if parts and parts[0].startswith(_UNIMPORTABLE_KEY_PREFIXES):
        raise ConfigError(
            "sshPublicKey",
            f"EC2 cannot import {_shown(parts[0])} keys, only {' or '.join(SSH_KEY_TYPES)}",
            'ssh-keygen -t ed25519, then pulumi config set sshPublicKey "$(cat ~/.ssh/id_ed25519.pub)"',
        )
    if len(parts) < 2 or parts[0] not in SSH_KEY_TYPES:
        raise ConfigError("sshPublicKey", f"must start with one of {', '.join(SSH_KEY_TYPES)} followed by the key", fix)
    try:
        blob = base64.b64decode(parts[1], validate=True)
    except (binascii.Error, ValueError):
        raise ConfigError("sshPublicKey", "the key body is not valid base64", fix) from None
    # The blob starts with its own length-prefixed type name; a mismatch means a pasted mix-up.
    declared_len = int.from_bytes(blob[:4], "big") if len(blob) >= 4 else -1
    if declared_len <= 0 or blob[4 : 4 + declared_len].decode("ascii", "replace") != parts[0]:
        raise ConfigError("sshPublicKey", f"the key body does not encode a {parts[0]} key", fix)
    try:
        key = load_ssh_public_key(f"{parts[0]} {parts[1]}".encode())
    except (ValueError, TypeError):
        raise ConfigError("sshPublicKey", "the key material is malformed", fix) from None
    except UnsupportedAlgorithm:
        raise ConfigError("sshPublicKey", "the key uses an algorithm EC2 cannot import", fix) from None
    if isinstance(key, rsa.RSAPublicKey) and key.key_size < _MIN_RSA_BITS:
        raise ConfigError("sshPublicKey", f"an RSA key of {key.key_size} bits is too weak (EC2 needs 2048+)", fix)
    return text


_INSTANCE_TYPE = re.compile(r"[a-z][a-z0-9-]*\.[a-z0-9-]+")


def parse_instance_type(key: str, raw: str) -> str:
    text = raw.strip()
    if not text:
        raise ConfigError(key, "is empty", f"{_setter(key)} t3.micro")
    if not _INSTANCE_TYPE.fullmatch(text) or len(text) > 32:
        raise ConfigError(
            key, f"{_shown(raw)} is not an EC2 instance type (family.size, e.g. t3.micro)", f"{_setter(key)} t3.micro"
        )
    return text


_AMI_ID = re.compile(r"ami-(?:[0-9a-f]{8}|[0-9a-f]{17})")


def parse_ami_id(key: str, raw: str) -> str:
    text = raw.strip()
    if not _AMI_ID.fullmatch(text):
        raise ConfigError(
            key,
            f"{_shown(raw)} is not an AMI id (ami- and 8 or 17 hex digits)",
            f"{_setter(key)} ami-0123456789abcdef0, or unset it for the latest Amazon Linux 2023",
        )
    return text


_BUCKET = re.compile(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]")
_PREFIX_FORBIDDEN = set("*?$[]{}\\") | {chr(c) for c in range(32)}


def parse_app_bucket(raw: str) -> AppBucket:
    """``bucket`` or ``bucket/prefix``: the only S3 location the role may read."""
    fix = "pulumi config set appBucket my-bucket/app (a bucket name and an optional prefix, no wildcards)"
    text = raw.strip()
    if text.startswith("s3://"):
        text = text[len("s3://") :]
    bucket, _, prefix = text.partition("/")
    prefix = prefix.strip("/")
    if (
        not _BUCKET.fullmatch(bucket)
        or ".." in bucket
        or ".-" in bucket
        or "-." in bucket
        or re.fullmatch(r"\d+\.\d+\.\d+\.\d+", bucket)
    ):
        raise ConfigError("appBucket", f"{_shown(raw)} does not start with a valid S3 bucket name", fix)
    if _PREFIX_FORBIDDEN & set(prefix) or "//" in prefix:
        raise ConfigError("appBucket", f"the prefix of {_shown(raw)} holds a wildcard or control character", fix)
    return AppBucket(bucket=bucket, prefix=prefix)


_RFC1918 = tuple(ipaddress.IPv4Network(block) for block in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16"))


def _block_of(text: str) -> ipaddress.IPv4Network | ipaddress.IPv6Network | None:
    """The block ``text`` lies in when only its host bits are wrong; ``None`` when it is no CIDR at all."""
    try:
        return ipaddress.ip_network(text, strict=False)
    except ValueError:
        return None


def parse_vpc_cidr(raw: str) -> str:
    fix = "pulumi config set vpcCidr 10.0.0.0/16 (a private IPv4 block from /16 to /23)"
    text = raw.strip()
    try:
        network = ipaddress.ip_network(text, strict=True)
    except ValueError:
        block = _block_of(text)
        if block is None:
            raise ConfigError("vpcCidr", f"{_shown(raw)} is not a CIDR block without host bits", fix) from None
        # Name the block the operator probably meant, when that block would itself be accepted.
        host_bits = f"{_shown(raw)} has host bits set: a /{block.prefixlen} block starts at {block.network_address}"
        usable = _usable_vpc_problem(block) is None
        raise ConfigError("vpcCidr", host_bits, f"pulumi config set vpcCidr {block}" if usable else fix) from None
    problem = _usable_vpc_problem(network)
    if problem is not None:
        raise ConfigError("vpcCidr", problem, fix)
    return str(network)


def _usable_vpc_problem(network: ipaddress.IPv4Network | ipaddress.IPv6Network) -> str | None:
    # /23 at most: the subnet planner carves a 32-slot grid and AWS's smallest subnet is a /28.
    if not isinstance(network, ipaddress.IPv4Network) or not 16 <= network.prefixlen <= 23:
        return f"{network} must be IPv4 with a prefix from /16 to /23"
    # ``is_private`` would also pass loopback, link-local and documentation ranges, which AWS rejects.
    if not any(network.subnet_of(block) for block in _RFC1918):
        return f"{network} is not a private (RFC 1918) range"
    return None


_CERT_ARN = re.compile(
    r"arn:aws(?:-cn|-us-gov|-iso|-iso-[a-z])?:(?:acm:[a-z]{2}(?:-[a-z]+)+-\d:\d{12}:certificate/[0-9a-f-]{36}"
    r"|iam::\d{12}:server-certificate/[\w+=,.@/-]+)"
)


def parse_certificate_arn(raw: str) -> str:
    text = raw.strip()
    if not _CERT_ARN.fullmatch(text):
        raise ConfigError(
            "certificateArn",
            f"{_shown(raw)} is not an ACM certificate ARN",
            "pulumi config set certificateArn arn:aws:acm:<region>:<account>:certificate/<uuid>"
            " (or unset it for HTTP only)",
        )
    return text


def parse_health_check_path(raw: str) -> str:
    text = raw.strip()
    if not re.fullmatch(r"/[A-Za-z0-9._~!$&'()*+,;=:@%/-]{0,1023}", text):
        raise ConfigError(
            "healthCheckPath", f"{_shown(raw)} is not a URL path", "pulumi config set healthCheckPath /health"
        )
    return text


def parse_nat_gateways(raw: str) -> NatGateways:
    text = raw.strip()
    if text == "perAz":
        return "perAz"
    if text == "single":
        return "single"
    raise ConfigError(
        "natGateways",
        f"{_shown(raw)} is not perAz or single",
        "pulumi config set natGateways perAz (one per AZ, survives an AZ outage) or single (cheaper)",
    )


def parse_target_cpu(raw: str) -> float:
    fix = "pulumi config set targetCpuPercent 50 (a number from 10 to 90)"
    try:
        value = float(raw.strip())
    except ValueError:
        raise ConfigError("targetCpuPercent", f"{_shown(raw)} is not a number", fix) from None
    if not 10.0 <= value <= 90.0:
        raise ConfigError("targetCpuPercent", f"{value:g} is outside 10-90", fix)
    return value


def parse_green(raw: str) -> GreenFleet:
    fix = "pulumi config set --path green.amiId ami-... (and optionally green.instanceType, green.weight 0-100)"
    try:
        value: Any = json.loads(raw)
    except (ValueError, RecursionError):  # JSONDecodeError, oversized integers, absurd nesting
        raise ConfigError("green", "is not valid JSON (an object with amiId, instanceType, weight)", fix) from None
    if not isinstance(value, dict):
        raise ConfigError("green", "is not an object", fix)
    unknown = sorted(set(value) - {"amiId", "instanceType", "weight"})
    if unknown:
        raise ConfigError("green", f"has unknown field(s) {', '.join(unknown)}", fix)
    if "amiId" not in value or not isinstance(value["amiId"], str):
        raise ConfigError("green.amiId", "is required: the AMI the green fleet validates", fix)
    ami_id = parse_ami_id("green.amiId", value["amiId"])
    instance_type = None
    if value.get("instanceType") is not None:
        if not isinstance(value["instanceType"], str):
            raise ConfigError("green.instanceType", "is not a string", fix)
        instance_type = parse_instance_type("green.instanceType", value["instanceType"])
    weight_raw = value.get("weight", 0)
    if isinstance(weight_raw, bool) or not isinstance(weight_raw, (int, str, float)):
        raise ConfigError("green.weight", "is not a whole number", "pulumi config set --path green.weight 10")
    if isinstance(weight_raw, float):
        if not weight_raw.is_integer():
            raise ConfigError(
                "green.weight", f"{weight_raw} is not a whole number", "pulumi config set --path green.weight 10"
            )
        weight_raw = int(weight_raw)
    weight = parse_int("green.weight", str(weight_raw), low=0, high=100)
    return GreenFleet(ami_id=ami_id, instance_type=instance_type, weight=weight)


# `pulumi up` waits at least a minute and at most half a day for a rollout's verdict.
ROLLOUT_TIMEOUT_MINUTES = (1, 720)


# --- the whole contract ----------------------------------------------------------------------------


def _present(raw: Mapping[str, str], key: str) -> str | None:
    """The raw value, or None when unset; "" counts as unset (Pulumi.yaml's default for optional strings)."""
    value = raw.get(key)
    if value is None or value.strip() == "":
        return None
    return value


def parse_config(raw: Mapping[str, str]) -> StackConfig:
    """Validate every key of the project namespace (bare names, no ``project:`` prefix).

    Raises ``ConfigError`` for the first invalid key, before anything is built.
    """
    unknown = sorted(set(raw) - set(KNOWN_KEYS))
    if unknown:
        key = unknown[0]
        by_lower = {known.lower(): known for known in KNOWN_KEYS}
        close = difflib.get_close_matches(key.lower(), list(by_lower), n=1)
        hint = f"did you mean '{by_lower[close[0]]}'? " if close else ""
        raise ConfigError(key, "is not a key this project reads", f"{hint}pulumi config rm {key}")

    def text(key: str) -> str | None:
        return _present(raw, key)

    def boolean(key: str, default: bool) -> bool:
        value = text(key)
        return default if value is None else parse_bool(key, value)

    def integer(key: str, default: int, low: int, high: int) -> int:
        value = text(key)
        return default if value is None else parse_int(key, value, low=low, high=high)

    production = boolean("production", False)
    instance_type = parse_instance_type("instanceType", raw["instanceType"]) if "instanceType" in raw else "t3.micro"
    use_default_vpc = boolean("useDefaultVpc", False)
    az_count = integer("azCount", 2, 1, 6)
    min_size = integer("minSize", 1, 0, 1000)
    desired = integer("desiredCapacity", 2, 0, 1000)
    max_size = integer("maxSize", 4, 1, 1000)
    app_port = integer("appPort", 80, 1, 65535)
    ssh_enabled = boolean("sshEnabled", not production) and not production

    ssh_cidr_raw = text("sshCidr")
    ssh_cidr = parse_ssh_cidr(ssh_cidr_raw) if ssh_cidr_raw is not None else None
    if ssh_enabled and ssh_cidr is None:
        raise ConfigError(
            "sshCidr", "is required while SSH is enabled", f"{SSH_CIDR_FIX}, or pulumi config set sshEnabled false"
        )
    key_raw = text("sshPublicKey")
    ami_raw = text("amiId")
    bucket_raw = text("appBucket")
    cert_raw = text("certificateArn")

    if not 1 <= min_size <= desired <= max_size:
        # Blame the key of the out-of-order pair the operator actually set (desiredCapacity if both).
        pair = ("minSize", "desiredCapacity") if min_size > desired else ("desiredCapacity", "maxSize")
        chosen = [key for key in pair if text(key) is not None]
        bad = "minSize" if min_size < 1 else chosen[0] if len(chosen) == 1 else "desiredCapacity"
        raise ConfigError(
            bad,
            "capacities must satisfy 1 <= minSize <= desiredCapacity <= maxSize"
            f" (got {min_size}, {desired}, {max_size})",
            "pulumi config set minSize 1; pulumi config set desiredCapacity 2; pulumi config set maxSize 4",
        )
    if production:
        if use_default_vpc:
            raise ConfigError(
                "useDefaultVpc",
                "cannot be true in production: default subnets are public and give no private tier",
                "pulumi config set useDefaultVpc false",
            )
        if az_count < 2:
            raise ConfigError(
                "azCount",
                f"{az_count} leaves production in one Availability Zone",
                "pulumi config set azCount 2 (or more)",
            )
    else:
        for key in ("green", "certificateArn"):
            if text(key) is not None:
                raise ConfigError(
                    key, "only applies to the production stack", f"pulumi config rm {key}, or set production true"
                )
        # Off is what the lab gets anyway (and Pulumi.yaml's default for waf), so only "true" is a mistake.
        for key in ("accessLogs", "waf"):
            if boolean(key, False):
                raise ConfigError(
                    key,
                    "only applies to the production stack (it has no load balancer in the lab)",
                    f"pulumi config rm {key}, or set production true",
                )
    access_logs = boolean("accessLogs", production)
    low_days, high_days = ACCESS_LOG_DAYS_RANGE
    access_log_days = integer("accessLogDays", 90, low_days, high_days)

    green_raw = text("green")
    return StackConfig(
        production=production,
        ssh_enabled=ssh_enabled,
        ssh_cidr=ssh_cidr,
        ssh_public_key=parse_ssh_public_key(key_raw) if key_raw is not None else None,
        instance_type=instance_type,
        ami_id=parse_ami_id("amiId", ami_raw) if ami_raw is not None else None,
        use_default_vpc=use_default_vpc,
        vpc_cidr=parse_vpc_cidr(raw["vpcCidr"]) if text("vpcCidr") is not None else "10.0.0.0/16",
        az_count=az_count,
        app_bucket=parse_app_bucket(bucket_raw) if bucket_raw is not None else None,
        session_manager=boolean("sessionManager", True),
        min_size=min_size,
        desired_capacity=desired,
        max_size=max_size,
        app_port=app_port,
        health_check_path=parse_health_check_path(raw["healthCheckPath"]) if text("healthCheckPath") else "/health",
        nat_gateways=parse_nat_gateways(raw["natGateways"]) if text("natGateways") is not None else "perAz",
        target_cpu_percent=parse_target_cpu(raw["targetCpuPercent"]) if text("targetCpuPercent") else 50.0,
        certificate_arn=parse_certificate_arn(cert_raw) if cert_raw is not None else None,
        deletion_protection=boolean("deletionProtection", True),
        green=parse_green(green_raw) if green_raw is not None else None,
        access_logs=access_logs,
        access_log_days=access_log_days,
        log_bucket_force_destroy=boolean("logBucketForceDestroy", False),
        detailed_monitoring=boolean("detailedMonitoring", production),
        waf=boolean("waf", False),
        rollout_timeout_minutes=integer(
            "rolloutTimeoutMinutes", 30, ROLLOUT_TIMEOUT_MINUTES[0], ROLLOUT_TIMEOUT_MINUTES[1]
        ),
        rollback_on_alarms=boolean("rollbackOnAlarms", True),
    )


def read_raw_config(project: str = PROJECT) -> dict[str, str]:
    """Every value of the project namespace, as text, from the running engine's config.

    ``pulumi.Config`` cannot list keys, so this reads the runtime's config map, the same one
    ``pulumi.Config.get`` reads; unknown keys then surface as errors instead of being ignored.
    """
    from pulumi.runtime import config as runtime_config

    prefix = f"{project}:"
    values: dict[str, str] = {}
    for key, value in runtime_config.CONFIG.get().items():
        if key.startswith(prefix):
            values[key[len(prefix) :]] = value if isinstance(value, str) else json.dumps(value)
    return values


_REGION = re.compile(r"[a-z]{2}(?:-[a-z]+)+-\d")


def parse_region(raw: str) -> str:
    if not _REGION.fullmatch(raw.strip()):
        raise ConfigError("aws:region", f"{_shown(raw)} is not an AWS region", "pulumi config set aws:region us-east-1")
    return raw.strip()


_ROLE_ARN = re.compile(r"arn:aws(?:-cn|-us-gov|-iso|-iso-[a-z])?:iam::\d{12}:role/[\w+=,.@/-]{1,512}")
_SESSION_NAME = re.compile(r"[\w+=,.@-]{2,64}")
_EXTERNAL_ID = re.compile(r"[\w+=,.@:/-]{2,1224}")
# Go durations as the provider reads `duration` ("1h", "15m", "1h30m", "3600s").
_DURATION = re.compile(r"(?:(\d+)h)?(?:(\d+)m)?(?:(\d+)s)?")
_ROLE_FIELDS = {"roleArn", "sessionName", "externalId", "duration"}
ASSUME_ROLES_FIX = (
    'pulumi config set --path "aws:assumeRoles[0].roleArn" arn:aws:iam::<account>:role/<name>'
    " (optional: sessionName, externalId, duration such as 1h)"
)


def _duration_seconds(key: str, raw: Any) -> int:
    match = _DURATION.fullmatch(raw.strip()) if isinstance(raw, str) else None
    if match is None or not any(match.groups()):
        raise ConfigError(key, f"{_shown(str(raw))} is not a duration such as 15m or 1h", ASSUME_ROLES_FIX)
    hours, minutes, seconds = (int(part or 0) for part in match.groups())
    total = hours * 3600 + minutes * 60 + seconds
    if not 900 <= total <= 43200:
        raise ConfigError(key, f"{_shown(raw)} is outside STS's 15m-12h", ASSUME_ROLES_FIX)
    return total


def parse_assume_roles(raw: str) -> tuple[AssumeRole, ...]:
    """``aws:assumeRoles``: the role chain the AWS provider assumes, in order, parsed for the rollout too.

    Only the fields both the provider and the rollout's boto3 client honour are accepted; anything else
    would make the two act as different identities, so it stops here instead.
    """
    try:
        value: Any = json.loads(raw)
    except (ValueError, RecursionError):
        raise ConfigError(
            "aws:assumeRoles", "is not valid JSON (a list of objects with roleArn)", ASSUME_ROLES_FIX
        ) from None
    if isinstance(value, dict):
        value = [value]
    if not isinstance(value, list):
        raise ConfigError("aws:assumeRoles", "is not a list of roles", ASSUME_ROLES_FIX)
    roles = []
    for i, entry in enumerate(value):
        key = f"aws:assumeRoles[{i}]"
        if not isinstance(entry, dict):
            raise ConfigError(key, "is not an object with roleArn", ASSUME_ROLES_FIX)
        unknown = sorted(set(entry) - _ROLE_FIELDS)
        if unknown:
            raise ConfigError(
                f"{key}.{unknown[0]}",
                "is not supported: the rollout could not assume the role the same way",
                f'pulumi config rm --path "{key}.{unknown[0]}"',
            )
        arn = entry.get("roleArn")
        if not isinstance(arn, str) or not _ROLE_ARN.fullmatch(arn.strip()):
            raise ConfigError(f"{key}.roleArn", "is not an IAM role ARN", ASSUME_ROLES_FIX)
        session = entry.get("sessionName")
        if session is not None and (not isinstance(session, str) or not _SESSION_NAME.fullmatch(session)):
            raise ConfigError(f"{key}.sessionName", "must be 2-64 of letters, digits and +=,.@_-", ASSUME_ROLES_FIX)
        external = entry.get("externalId")
        if external is not None and (not isinstance(external, str) or not _EXTERNAL_ID.fullmatch(external)):
            # Never echo it: an external id is a shared secret between two accounts.
            raise ConfigError(f"{key}.externalId", "must be 2-1224 of letters, digits and +=,.@:/_-", ASSUME_ROLES_FIX)
        duration = entry.get("duration")
        roles.append(
            AssumeRole(
                role_arn=arn.strip(),
                session_name=session,
                external_id=external,
                duration_seconds=_duration_seconds(f"{key}.duration", duration) if duration is not None else None,
            )
        )
    return tuple(roles)


# Static credentials in stack config: the explicit provider would not read them, so neither would anything.
_IGNORED_CREDENTIALS = ("accessKey", "secretKey", "token")


def parse_aws_access(raw: Mapping[str, str]) -> AwsAccess:
    """The ``aws:`` settings the stack's provider and its rollouts share (keys without the ``aws:`` prefix)."""
    for key in _IGNORED_CREDENTIALS:
        if raw.get(key):
            raise ConfigError(
                f"aws:{key}",
                "is not read: the stack's AWS provider is explicit and takes region, profile and assumeRoles only",
                f"pulumi config rm aws:{key}; use aws:profile, or AWS_ACCESS_KEY_ID/AWS_SECRET_ACCESS_KEY in the "
                "environment",
            )
    if raw.get("assumeRole"):
        raise ConfigError(
            "aws:assumeRole",
            "is pulumi-aws 6's key; pulumi-aws 7 reads aws:assumeRoles (a list)",
            f"pulumi config rm aws:assumeRole; {ASSUME_ROLES_FIX}",
        )
    profile = raw.get("profile")
    if profile is not None and (not profile.strip() or any(not c.isprintable() for c in profile)):
        raise ConfigError("aws:profile", "is empty or holds control characters", "pulumi config set aws:profile <name>")
    roles = raw.get("assumeRoles")
    region = raw.get("region")
    return AwsAccess(
        region=parse_region(region) if region is not None else None,
        profile=profile.strip() if profile else None,
        assume_roles=parse_assume_roles(roles) if roles else (),
    )


def read_aws_access() -> AwsAccess:
    """``aws:region``, ``aws:profile`` and ``aws:assumeRoles`` of the running stack, validated."""
    config = pulumi.Config("aws")
    return parse_aws_access(
        {
            key: value
            for key in ("region", "profile", "assumeRoles", "assumeRole", *_IGNORED_CREDENTIALS)
            if (value := config.get(key)) is not None
        }
    )


def check_certificate_region(config: StackConfig, access: AwsAccess) -> None:
    """An ACM certificate serves load balancers of its own Region only: AWS refuses the HTTPS listener
    (CertificateNotFound) half-way through `pulumi up`, so a certificate from another Region stops here."""
    arn = config.certificate_arn
    if arn is None or access.region is None or arn.split(":")[2:3] != ["acm"]:
        return
    cert_region = arn.split(":")[3]
    if cert_region != access.region:
        raise ConfigError(
            "certificateArn",
            f"is an ACM certificate in {cert_region}, but the stack deploys to {access.region}",
            f"request or import the certificate in {access.region} and pulumi config set certificateArn <its ARN>",
        )


def load_config() -> StackConfig:
    """Read and validate the running stack's config; raises ``ConfigError`` before anything is built."""
    return parse_config(read_raw_config())
