"""The network-boundary policies: what can reach the instances, plus the hardening beside it.

``POLICIES`` is what the ``policies/network-boundary`` pack assembles; tests and tools import it
without starting the pack's gRPC server.
"""

from __future__ import annotations

from pulumi_policy import Policy

from . import (
    alb_access_logs,
    alb_drop_invalid_headers,
    asg_elb_health_check,
    asg_multi_az,
    ebs_encryption,
    http_redirects_to_https,
    instance_sg,
    internet_exposure,
    launch_template_monitoring,
    launch_template_public_ip,
    lb_log_bucket_not_public,
    ssh_ingress,
)

POLICIES: list[Policy] = [
    ssh_ingress.POLICY,
    launch_template_public_ip.POLICY,
    asg_multi_az.BEHIND_LOAD_BALANCER_POLICY,
    asg_multi_az.STANDALONE_POLICY,
    instance_sg.POLICY,
    internet_exposure.POLICY,
    ebs_encryption.POLICY,
    alb_drop_invalid_headers.POLICY,
    http_redirects_to_https.POLICY,
    asg_elb_health_check.POLICY,
    alb_access_logs.POLICY,
    lb_log_bucket_not_public.POLICY,
    launch_template_monitoring.POLICY,
]

PACK_NAME = "aws-compute-network-boundary"

__all__ = ["PACK_NAME", "POLICIES"]
