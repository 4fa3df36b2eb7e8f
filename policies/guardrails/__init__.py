"""Rule logic for this project's policy packs.

The packs under ``policies/<pack>/`` only assemble policies; everything that decides lives here,
in ordinary importable modules, because constructing ``PolicyPack(...)`` starts a gRPC server and
blocks forever.
"""
