"""Operations against the live account: ``python -m ops doctor`` walks the lab's debugging order.

Everything here only reads the account (Describe*, Get*, List*, Simulate*); nothing here is part of
the Pulumi program.
"""
