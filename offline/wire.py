"""The engine's wire-format markers, in one place: what an unknown value, a secret, an asset and the
root stack look like when the engine hands properties to a program, a policy pack or a state file.

No imports, so the light modules (rendering, the diagram) can use them without loading gRPC or the SDK.
"""

STACK_TYPE = "pulumi:pulumi:Stack"
# An output not known yet (a preview), as the engine serialises it.
UNKNOWN = "04da6b54-80e4-46f7-96ec-b56ff0331ba9"
# Key of a special object (secret, asset, archive) and the signatures that say which one it is.
SIG_KEY = "4dabf18193072939515e22adb298388d"
SECRET_SIG = "1b47061264138c4ac30d75fd1eb44270"
ASSET_SIG = "c44067f5952c0a294b673a41bacd8c17"
ARCHIVE_SIG = "0def7320c3a5731c473e5ecbe6d01bc7"
