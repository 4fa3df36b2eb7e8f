"""The Pulumi program: validate config, build the stack from its components, export its outputs.

Config is parsed before anything is registered, so a bad value stops `pulumi up` with a one-line
error and no half-built stack.
"""

from components.config import check_certificate_region, load_config, read_aws_access
from components.stack import build_stack

config = load_config()
access = read_aws_access()
check_certificate_region(config, access)
build_stack(config, access=access)
