"""Safe readers for the property shapes the Pulumi engine hands a policy.

At run time ``args.props`` is a read-only proxy: mappings are ``Mapping`` (not ``dict``), lists are
``Sequence`` (not ``list``), numbers arrive as floats (``22.0``), launch-template booleans as strings
(``"false"``), and IAM documents as JSON text or as objects. Reading an unknown value raises
``pulumi_policy.UnknownValueError``: these helpers never catch it, so the SDK reports the policy as
"can't run during preview" instead of passing it silently.

Every reader returns ``None`` (or an empty list) for a missing or oddly-typed value; a rule decides
whether that absence means the AWS default, a pass, or a fail-closed violation.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import Any

from pulumi_policy.proxy import (
    UNKNOWN_ARCHIVE_VALUE,
    UNKNOWN_ARRAY_VALUE,
    UNKNOWN_ASSET_VALUE,
    UNKNOWN_BOOLEAN_VALUE,
    UNKNOWN_NUMBER_VALUE,
    UNKNOWN_OBJECT_VALUE,
    UNKNOWN_STRING_VALUE,
    UnknownValueError,
    _DictProxy,
    _ListProxy,
)

# Types that AWS exposes under two tokens; rules compare against the canonical (left) one.
TYPE_ALIASES: dict[str, str] = {
    "aws:alb/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer",
    "aws:alb/listener:Listener": "aws:lb/listener:Listener",
    "aws:alb/listenerRule:ListenerRule": "aws:lb/listenerRule:ListenerRule",
    "aws:alb/targetGroup:TargetGroup": "aws:lb/targetGroup:TargetGroup",
    "aws:alb/targetGroupAttachment:TargetGroupAttachment": "aws:lb/targetGroupAttachment:TargetGroupAttachment",
    "aws:alb/listenerCertificate:ListenerCertificate": "aws:lb/listenerCertificate:ListenerCertificate",
    "aws:elasticloadbalancingv2/loadBalancer:LoadBalancer": "aws:lb/loadBalancer:LoadBalancer",
    "aws:elasticloadbalancingv2/listener:Listener": "aws:lb/listener:Listener",
    "aws:elasticloadbalancingv2/targetGroup:TargetGroup": "aws:lb/targetGroup:TargetGroup",
    # pulumi-aws 6's S3 tokens, still aliased by pulumi-aws 7's aws.s3.Bucket and aws.s3.BucketAcl.
    "aws:s3/bucketV2:BucketV2": "aws:s3/bucket:Bucket",
    "aws:s3/bucketAclV2:BucketAclV2": "aws:s3/bucketAcl:BucketAcl",
}


def canonical_type(resource_type: str) -> str:
    """The canonical token for ``resource_type`` (``aws:alb/...`` becomes ``aws:lb/...``)."""
    return TYPE_ALIASES.get(resource_type, resource_type)


def is_mapping(value: Any) -> bool:
    return isinstance(value, Mapping)


def is_sequence(value: Any) -> bool:
    """True for list-like values (the proxy's ``Sequence``), never for text or bytes."""
    return isinstance(value, Sequence) and not isinstance(value, (str, bytes, bytearray))


def get(value: Any, *path: str | int, default: Any = None) -> Any:
    """Walk ``path`` through mappings (str keys) and sequences (int indexes); ``default`` if absent."""
    current = value
    for step in path:
        if isinstance(step, str) and is_mapping(current):
            if step not in current:
                return default
            current = current[step]
        elif isinstance(step, int) and is_sequence(current):
            if not -len(current) <= step < len(current):
                return default
            current = current[step]
        else:
            return default
    return default if current is None else current


def as_list(value: Any) -> list[Any]:
    """A list view: ``None`` -> ``[]``, a scalar or mapping -> ``[value]``, a sequence -> its items."""
    if value is None:
        return []
    if is_sequence(value):
        return list(value)
    return [value]


def as_str(value: Any) -> str | None:
    return value if isinstance(value, str) else None


def as_bool(value: Any) -> bool | None:
    """``True``/``False`` from a bool or its text form (``"true"``, ``"False"``); else ``None``.

    Launch-template booleans travel as strings, and ``"false"`` is truthy in Python.
    """
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered == "true":
            return True
        if lowered == "false":
            return False
    return None


# Every integer a rule reads is small (a port, a rule number, a count, a duration in seconds); a longer
# one is "not a number", so the rule's fail-closed path handles it, and int() never meets a number big
# enough to cost time or exceed Python's 4,300-digit conversion limit (a ValueError).
MAX_INT_DIGITS = 18
_INT_TEXT = re.compile(rf"[+-]?[0-9]{{1,{MAX_INT_DIGITS}}}")
_INT_LIMIT = 10**MAX_INT_DIGITS


def as_int(value: Any) -> int | None:
    """An integer from ``22``, ``22.0`` or ``"22"``; ``None`` for fractions, bools, garbage and numbers
    of more than ``MAX_INT_DIGITS`` digits."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value if -_INT_LIMIT < value < _INT_LIMIT else None
    if isinstance(value, float):
        return int(value) if value.is_integer() and -_INT_LIMIT < value < _INT_LIMIT else None
    if isinstance(value, str):
        text = value.strip()
        # ASCII digits only: isdigit() admits "²" and int() reads "٦", which no AWS API would. The length
        # is checked first, so a 100 KB digit string costs no more than a short one.
        if len(text) <= MAX_INT_DIGITS + 1 and _INT_TEXT.fullmatch(text):
            return int(text)
    return None


class Unknown:
    """A reference whose value the engine does not know yet (a first ``pulumi preview``).

    Only the reference readers below hand it out, and only :meth:`StackGraph.resolve` gives it meaning:
    it can name a resource through the property's ``propertyDependencies`` (URNs are always known) and
    nothing else, so a rule that meets it either follows a dependency or fails closed, never passes.
    """

    _instance: Unknown | None = None

    def __new__(cls) -> Unknown:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __repr__(self) -> str:
        return "<unknown during preview>"


UNKNOWN = Unknown()

_UNKNOWN_SENTINELS = frozenset(
    {
        UNKNOWN_BOOLEAN_VALUE,
        UNKNOWN_NUMBER_VALUE,
        UNKNOWN_STRING_VALUE,
        UNKNOWN_ARRAY_VALUE,
        UNKNOWN_ASSET_VALUE,
        UNKNOWN_ARCHIVE_VALUE,
        UNKNOWN_OBJECT_VALUE,
    }
)


def is_unknown_at(container: Any, key: str | int) -> bool:
    """Whether ``container[key]`` is unknown, found without reading it through the proxy (that raises).

    The SDK's proxy hands out its own storage under the key ``__target``; an unknown there is still the
    engine's sentinel string. Plain containers (tests, exports) are looked at directly.
    """
    raw = container["__target"] if isinstance(container, (_DictProxy, _ListProxy)) else container
    if is_mapping(raw) and isinstance(key, str):
        value = raw.get(key)
    elif is_sequence(raw) and isinstance(key, int) and -len(raw) <= key < len(raw):
        value = raw[key]
    else:
        return False
    return isinstance(value, str) and value in _UNKNOWN_SENTINELS


def has_key(container: Any, key: str) -> bool:
    """Whether mapping ``container`` holds ``key``, without reading its value (``in`` on the proxy does)."""
    raw = container["__target"] if isinstance(container, _DictProxy) else container
    return is_mapping(raw) and key in raw


def reference(container: Any, key: str) -> Any:
    """``get(container, key)`` for a value that only names another resource: :data:`UNKNOWN` if unknown."""
    return UNKNOWN if is_unknown_at(container, key) else get(container, key)


def reference_items(value: Any) -> list[Any]:
    """``as_list(value)`` for a list of references, each unknown element as :data:`UNKNOWN`.

    ``len()`` of a known list never raises, so how many references there are is always known; a whole
    list that is unknown has already raised when ``value`` was read, as it should.
    """
    if not is_sequence(value):
        return as_list(value)
    return [UNKNOWN if is_unknown_at(value, i) else value[i] for i in range(len(value))]


def first_reference(*values: Any) -> Any:
    """The first known, present value; :data:`UNKNOWN` if only unknowns are present; else ``None``."""
    known = next((v for v in values if v is not None and v is not UNKNOWN), None)
    if known is not None:
        return known
    return UNKNOWN if any(v is UNKNOWN for v in values) else None


def unknown_error(field: str) -> UnknownValueError:
    """The error the SDK's proxy raises for an unknown ``field``, for a value found unknown without reading it."""
    return UnknownValueError(UNKNOWN_STRING_VALUE, [field])


class Undecided:
    """What a rule could not decide because a value is unknown during preview.

    A rule decides on what is known first: it notes each part an unknown leaves open and moves on to the
    next, so an unknown early in a list never hides a known violation later in it. Only when the rule
    found nothing to report does :meth:`raise_if_nothing_decided` send it to the SDK's "can't run during
    preview" path; a rule that found a violation has decided.
    """

    def __init__(self) -> None:
        self.error: UnknownValueError | None = None

    def note(self, error: UnknownValueError) -> None:
        if self.error is None:
            self.error = error

    @contextmanager
    def guard(self) -> Iterator[None]:
        """Run a block that may read an unknown; the unknown is noted instead of stopping the rule."""
        try:
            yield
        except UnknownValueError as error:
            self.note(error)

    def raise_if_nothing_decided(self, decided: bool) -> None:
        if not decided and self.error is not None:
            raise self.error
