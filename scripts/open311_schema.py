"""An OpenAPI 3 description of /open311/v2/ (GeoReport v2, gongzhi/concerns/open311.py) for the fuzz.

Open311 has no schema of its own (GeoReport v2 predates OpenAPI), so `make fuzz` writes this one
next to its installation. The installation's api_key and jurisdiction are the examples, so the
examples phase reaches the code behind the key check; generated cases try everything else.
"""

FORMAT = {"name": "format", "in": "path", "required": True, "schema": {"type": "string", "example": "json"}}
JURISDICTION = {"name": "jurisdiction_id", "in": "query", "required": False, "schema": {"type": "string"}}
ERRORS = {"description": "GeoReport errors: [{code, description}]"}


def _get(summary: str, *parameters: dict) -> dict:
    return {
        "get": {
            "summary": summary,
            "parameters": [FORMAT, *parameters],
            "responses": {"200": {"description": "ok"}, "400": ERRORS, "404": ERRORS},
        }
    }


def schema(*, api_key: str, jurisdiction: str, service_code: str) -> dict:
    text = {"type": "string"}
    post_fields = {
        "api_key": {"type": "string", "example": api_key},
        "jurisdiction_id": {"type": "string", "example": jurisdiction},
        "service_code": {"type": "string", "example": service_code},
        "lat": {"type": "string", "example": "31.3500"},
        "long": {"type": "string", "example": "121.4200"},
        "address_string": text,
        "address_id": text,
        "description": {"type": "string", "example": "楼道堆物，消防通道被堵"},
        "first_name": text,
        "last_name": text,
        "phone": text,
        "idempotency_key": text,
    }
    requests = _get(
        "service requests",
        {**JURISDICTION, "schema": {"type": "string", "example": jurisdiction}},
        {"name": "service_request_id", "in": "query", "required": False, "schema": text},
        {"name": "service_code", "in": "query", "required": False, "schema": text},
        {"name": "status", "in": "query", "required": False, "schema": {"type": "string", "example": "open"}},
        {"name": "start_date", "in": "query", "required": False, "schema": text},
        {"name": "end_date", "in": "query", "required": False, "schema": text},
    )
    requests["post"] = {
        "summary": "submit a service request",
        "parameters": [FORMAT],
        "requestBody": {
            "required": True,
            "content": {
                "application/x-www-form-urlencoded": {
                    "schema": {"type": "object", "properties": post_fields, "required": ["api_key"]}
                }
            },
        },
        "responses": {
            "201": {"description": "created"},
            "400": ERRORS,
            "403": ERRORS,
            "404": ERRORS,
            "429": ERRORS,
        },
    }
    return {
        "openapi": "3.0.3",
        "info": {"title": "gongzhi Open311 GeoReport v2", "version": "2"},
        "paths": {
            "/open311/v2/discovery.{format}": _get("discovery"),
            "/open311/v2/services.{format}": _get("service list", JURISDICTION),
            "/open311/v2/services/{service_code}.{format}": _get(
                "service definition",
                {
                    "name": "service_code",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "example": service_code},
                },
            ),
            "/open311/v2/requests.{format}": requests,
            "/open311/v2/requests/{service_request_id}.{format}": _get(
                "one service request",
                {
                    "name": "service_request_id",
                    "in": "path",
                    "required": True,
                    "schema": {"type": "string", "example": "1"},
                },
            ),
        },
    }
