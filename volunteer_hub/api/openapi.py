"""The OpenAPI 3.1 description of /api/v1."""

from __future__ import annotations

from typing import Any

MONEY = {"type": "string", "pattern": r"^-?\d+\.\d{2}$", "example": "107760.00"}
RATIO = {"type": ["string", "null"], "pattern": r"^\d+\.\d{2}$", "example": "3.59"}
SUPPRESSED = {"type": "string", "const": "[c]"}
SUPPRESSIBLE_COUNT = {"oneOf": [{"type": "integer"}, SUPPRESSED]}
RATE_BLOCK = {
    "type": "object",
    "required": ["amount", "rate", "rate_key", "source", "reference_date"],
    "properties": {
        "amount": MONEY,
        "rate": {"type": "string", "example": "17.96"},
        "rate_key": {"type": "string", "example": "uk_median_hourly"},
        "source": {"type": "string"},
        "reference_date": {"type": "string"},
    },
}


DESCRIPTION = (
    "Read-only figures for partners. Authenticate with a bearer token issued by an "
    "administrator. Money and hours are strings with two decimals; counts are "
    "integers. No response contains a row about an individual: in the breakdowns "
    "(by_organisation, by_role, by_month, by_frequency) a count of 1 to 9 people, "
    'and that row\'s hours and value, are published as "[c]" (disclosure control, '
    "with secondary suppression chosen so that no hidden figure can be worked out "
    "from the published ones); so are the employer-time hours of 1 to 9 volunteers "
    "and a time bank's activity with 1 to 9 active members; a selection covering "
    "fewer than 10 active "
    "volunteers is refused with 400. Every response is audited before it is sent; a "
    "report that does not pass is refused with 422. Otherwise the JSON is exactly "
    "that of `flask report value --published`: the report's JSON plus a "
    "`disclosure` object saying what was applied."
)

VALUE_REPORT_PARAMETERS = [
    {
        "name": "start",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "format": "date"},
        "description": "First day, YYYY-MM-DD.",
    },
    {
        "name": "end",
        "in": "query",
        "required": True,
        "schema": {"type": "string", "format": "date"},
        "description": "Last day (included), YYYY-MM-DD.",
    },
    {
        "name": "organisation",
        "in": "query",
        "required": False,
        "schema": {"type": "string"},
        "description": "An organisation's name, to report on it alone.",
    },
]

#: The report's keys, in the order the report writes them.
VALUE_REPORT_REQUIRED = [
    *["period", "organisation", "total_hours", "employer_time_hours", "active_volunteers"],
    *["new_volunteers", "hours_per_active_volunteer", "retention_rate", "fte", "value"],
    *["investment", "viva_ratio", "net_value", "by_organisation", "by_role", "by_month"],
    *["timebank", "caveat"],
]


def _value_report_properties() -> dict[str, Any]:
    return {
        "period": {
            "type": "object",
            "properties": {
                "start": {"type": "string", "format": "date"},
                "end": {"type": "string", "format": "date"},
            },
        },
        "organisation": {"type": ["string", "null"]},
        "total_hours": MONEY,
        "employer_time_hours": {"oneOf": [MONEY, SUPPRESSED]},
        "active_volunteers": {"type": "integer"},
        "new_volunteers": SUPPRESSIBLE_COUNT,
        "hours_per_active_volunteer": {**MONEY, "type": ["string", "null"]},
        "retention_rate": {
            "type": ["string", "null"],
            "pattern": r"^\d+\.\d$",
            "description": "Percentage, one decimal; null when nobody was "
            "active in the previous equal-length period.",
        },
        "fte": MONEY,
        "value": {
            "type": "object",
            "properties": {
                "generalist": RATE_BLOCK,
                "floor": RATE_BLOCK,
                "specialist": {
                    "type": "object",
                    "properties": {
                        "amount": MONEY,
                        "coverage": {"type": ["string", "null"]},
                    },
                },
            },
        },
        "investment": {
            "type": "object",
            "properties": {
                "total": MONEY,
                "by_category": {
                    "type": "object",
                    "additionalProperties": MONEY,
                },
            },
        },
        "viva_ratio": {
            "type": "object",
            "properties": {
                "generalist": RATIO,
                "floor": RATIO,
                "specialist": RATIO,
            },
        },
        "net_value": MONEY,
        "by_organisation": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "name": {"type": "string"},
                    "hours": MONEY,
                    "active_volunteers": SUPPRESSIBLE_COUNT,
                    "value_generalist": {"oneOf": [MONEY, SUPPRESSED]},
                },
            },
        },
        "by_role": {"type": "array", "items": {"type": "object"}},
        "by_month": {"type": "array", "items": {"type": "object"}},
        "timebank": {"type": "object"},
        "caveat": {"type": "string"},
        "disclosure": {
            "type": "object",
            "properties": {
                "profile": {"type": "string", "enum": ["k10", "nhs7"]},
                "k": {"type": "integer"},
                "note": {"type": "string"},
            },
        },
    }


def _value_report_responses() -> dict[str, Any]:
    error = {"$ref": "#/components/schemas/Error"}
    return {
        "200": {
            "description": "The report (the same JSON as `flask report value`).",
            "content": {
                "application/json": {"schema": {"$ref": "#/components/schemas/ValueReport"}}
            },
        },
        "400": {
            "description": "A bad argument, or fewer than 10 active volunteers",
            "content": _json(error),
        },
        "401": {"description": "No valid token", "content": _json(error)},
        "422": {
            "description": "Not published: the disclosure audit did not pass "
            "(a hidden figure could be worked out, or the check could not run)",
            "content": _json(error),
        },
        "429": {"description": "Too many requests", "content": _json(error)},
    }


def openapi_document(server: str) -> dict[str, Any]:
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Volunteer Hub partner API",
            "version": "1.0.0",
            "description": DESCRIPTION,
        },
        "servers": [{"url": server}],
        "security": [{"bearerAuth": []}],
        "paths": {
            "/reports/value": {
                "get": {
                    "summary": "The value-of-volunteering report for a period",
                    "operationId": "getValueReport",
                    "parameters": VALUE_REPORT_PARAMETERS,
                    "responses": _value_report_responses(),
                }
            },
            "/openapi.json": {
                "get": {
                    "summary": "This document",
                    "security": [],
                    "responses": {"200": {"description": "OpenAPI 3.1 JSON"}},
                }
            },
        },
        "components": {
            "securitySchemes": {"bearerAuth": {"type": "http", "scheme": "bearer"}},
            "schemas": {
                "Error": {
                    "type": "object",
                    "required": ["error", "status"],
                    "properties": {"error": {"type": "string"}, "status": {"type": "integer"}},
                },
                "ValueReport": {
                    "type": "object",
                    "required": VALUE_REPORT_REQUIRED,
                    "properties": _value_report_properties(),
                },
            },
        },
    }


def _json(schema: dict[str, Any]) -> dict[str, Any]:
    return {"application/json": {"schema": schema}}
