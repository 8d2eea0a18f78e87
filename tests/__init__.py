"""The test suite's process-wide settings, made when the test package is imported (before any
test module, factory or application):

- argon2id's cheapest parameters (``passwords.use_cheapest_parameters_for_tests``), so the
  factories' stored hash and every sign-in use the same ones (a hash made with other parameters
  would be rehashed at sign-in, changing the password hash that links are tied to);
  ``tests/accounts/test_password_hashing.py`` checks the application's own parameters.
- One Jinja bytecode cache for every application the tests create: each test makes a new app,
  and compiling its templates again was half the time of a page test. Jinja checks each
  template's source against the cached code's checksum, so an edited template is compiled anew.
- One cache of werkzeug's URL builders: each new app compiled a Python function for each of its
  routes (a third of the time of a page test). A builder is a pure function of its rule's text,
  parts, defaults and converters (it reads the converters from the rule it is bound to when
  called), which is the cache's key.
"""

from __future__ import annotations

from typing import Any

import flask
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket
from werkzeug.routing import rules

from volunteer_hub.accounts import passwords

passwords.use_cheapest_parameters_for_tests()


class _SharedBytecodeCache(BytecodeCache):
    """Compiled templates in this process's memory, shared by every test's application."""

    def __init__(self) -> None:
        self.compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self.compiled.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.compiled[bucket.key] = bucket.bytecode_to_string()


_SHARED = _SharedBytecodeCache()
_create_jinja_environment = flask.Flask.create_jinja_environment


def _with_shared_cache(self: flask.Flask) -> Any:
    environment = _create_jinja_environment(self)
    environment.bytecode_cache = _SHARED
    return environment


flask.Flask.create_jinja_environment = _with_shared_cache  # type: ignore[method-assign]


_compile_builder = rules.Rule._compile_builder
_BUILDERS: dict[tuple[Any, ...], Any] = {}


def _cached_builder(self: rules.Rule, append_unknown: bool = True) -> Any:
    key = (
        self.rule,
        tuple(self._trace),
        repr(sorted((self.defaults or {}).items())),
        tuple(sorted((n, type(c).__qualname__, c.regex) for n, c in self._converters.items())),
        append_unknown,
    )
    builder = _BUILDERS.get(key)
    if builder is None:
        builder = _BUILDERS[key] = _compile_builder(self, append_unknown)
    return builder


rules.Rule._compile_builder = _cached_builder  # type: ignore[method-assign]
