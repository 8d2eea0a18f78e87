"""The accounts personas and sign-in helper, for the jobs page's permission tests."""

from tests.accounts.conftest import login, personas

__all__ = ["login", "personas"]
