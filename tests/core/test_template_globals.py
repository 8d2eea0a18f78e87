"""The app's Jinja environment answers imports as Jinja does, with template globals whose
``keys()`` is a set (core/templating.py: the check Jinja runs at every import was 10–20% of
drawing a page)."""

from __future__ import annotations

from flask import Flask
from jinja2 import DictLoader

from volunteer_hub.core.templating import Environment, TemplateGlobals


def test_the_app_uses_the_environment(app: Flask) -> None:
    assert isinstance(app.jinja_env, Environment)
    template = app.jinja_env.get_template("base.html")
    assert isinstance(template.globals, TemplateGlobals)
    # Every global of the environment (Flask's, the extensions', the domains' labels) is seen.
    assert set(app.jinja_env.globals) <= template.globals.keys()
    assert {"url_for", "csrf_token", "csp_nonce"} <= template.globals.keys()


def test_keys_are_those_of_every_map_at_the_call() -> None:
    shared = {"a": 1, "b": 2}
    own = {"b": 3, "c": 4}
    found = TemplateGlobals(own, shared)
    assert found.keys() == {"a", "b", "c"}
    assert found["b"] == 3
    assert set(found) == {"a", "b", "c"}
    assert dict(found) == {"a": 1, "b": 3, "c": 4}
    shared["d"] = 5  # a set at each call, so a later global is seen by the next call
    assert found.keys() == {"a", "b", "c", "d"}


def _environment(app: Flask) -> Environment:
    return Environment(
        app,
        loader=DictLoader(
            {
                "macros.html": "{% macro hello() %}{{ greeting | default('hello') }}{% endmacro %}",
                "page.html": "{% from 'macros.html' import hello %}[{{ hello() }}]",
                "page_own.html": "{% from 'macros.html' import hello %}[{{ hello() }}]",
                "page_with.html": (
                    "{% from 'macros.html' import hello with context %}[{{ hello() }}]"
                ),
            }
        ),
    )


def test_imports_behave_as_in_jinja(app: Flask) -> None:
    environment = _environment(app)
    with app.test_request_context():
        # The imported template's module is made once and reused (no new globals).
        macros = environment.get_template("macros.html")
        assert environment.get_template("page.html").render() == "[hello]"
        first = macros._module
        assert first is not None
        assert environment.get_template("page.html").render() == "[hello]"
        assert macros._module is first
        # A template with its own globals gives the imported one a module that sees them,
        # without context, as Jinja documents; the shared module is left alone.
        own = environment.get_template("page_own.html", globals={"greeting": "hi"})
        assert own.render() == "[hi]"
        assert environment.get_template("page.html").render() == "[hello]"
        # Render-time variables reach an import only "with context".
        assert environment.get_template("page.html").render(greeting="hey") == "[hello]"
        assert environment.get_template("page_with.html").render(greeting="hey") == "[hey]"
