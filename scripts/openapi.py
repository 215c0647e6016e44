#!/usr/bin/env python3
"""Writes openapi/k2mock.json, the OpenAPI 3.1 document of everything k2mock serves (the K2 API,
OAuth, the webhook-event links and the admin API), then embeds it for GET /__admin/openapi.json
(Sources/AdminAPI/OpenAPIDocument.swift). Run after changing a route or a body; OpenAPITests
fails until you do (it also checks that every route the server has is here, and nothing more).
The document describes k2mock as it is; docs/k2-api.md says where that differs from K2."""
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
VERSION = open(os.path.join(ROOT, "VERSION")).read().strip()


def ref(name):
    return {"$ref": "#/components/schemas/" + name}


def json_body(schema, description):
    return {"description": description, "content": {"application/json": {"schema": schema}}}


ERROR = lambda description: json_body(ref("Error"), description)  # noqa: E731
OAUTH_ERROR = lambda description: json_body(ref("OAuthError"), description)  # noqa: E731
STRING, INTEGER, BOOLEAN = {"type": "string"}, {"type": "integer"}, {"type": "boolean"}
NULLABLE_STRING = {"type": ["string", "null"]}
AMOUNT_VALUE = {"oneOf": [{"type": "number"}, {"type": "string"}], "description": "a number, or a number as a string"}
AMOUNT = {"type": "object", "properties": {"currency": STRING, "value": AMOUNT_VALUE}}
LINKS_IN = {"type": "object", "properties": {"callback_url": {"type": "string", "description": "an http or https URL"}}}
METADATA = {"type": ["object", "null"], "description": "echoed back; `meta_data` is read too"}
SUBSCRIBER = {"type": "object", "properties": {
    "first_name": STRING, "middle_name": NULLABLE_STRING, "last_name": STRING, "phone_number": STRING, "email": STRING}}


def obj(properties, required=()):
    schema = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return schema


# Each kind k2mock serves (Sources/K2Sandbox/Kinds/, `k2mock kinds`): its collection, the API
# versions that serve its GET and its create, its create request, and its actions.
RECIPIENT = obj({"type": {"type": "string", "description": "mobile_wallet, bank_account, till or paybill"},
                 "pay_recipient": {"type": "object", "description": "the recipient's details for its type"}}, ["type"])
KINDS = [
    ("payment", "payments", [1], [1], obj({
        "destination_type": STRING, "destination_reference": STRING, "amount": AMOUNT, "description": STRING,
        "category": STRING, "tags": {"type": "array"}, "metadata": METADATA, "_links": LINKS_IN},
        ["destination_type", "destination_reference", "amount", "_links"]), []),
    ("send_money", "send_money", [2], [2], obj({
        "source_identifier": NULLABLE_STRING, "currency": STRING,
        "destinations": {"type": "array", "items": {"type": "object", "properties": {
            "type": STRING, "amount": AMOUNT_VALUE, "description": STRING, "nickname": STRING, "favourite": BOOLEAN,
            "phone_number": STRING, "till_number": STRING, "paybill_number": STRING}}},
        "metadata": METADATA, "_links": LINKS_IN}, ["currency", "_links"]), []),
    ("incoming_payment", "incoming_payments", [1, 2], [1, 2], obj({
        "payment_channel": STRING, "till_number": STRING, "subscriber": SUBSCRIBER, "amount": AMOUNT,
        "metadata": METADATA, "_links": LINKS_IN}, ["till_number", "subscriber", "amount", "_links"]), []),
    ("pay_recipient", "pay_recipients", [1], [1], RECIPIENT, []),
    ("external_recipient", "external_recipients", [2], [2], obj({
        "type": {"type": "string", "description": "mobile_wallet, bank_account, till or paybill"},
        "external_recipient": {"type": "object", "description": "the recipient's details for its type"}}, ["type"]), []),
    ("webhook_subscription", "webhook_subscriptions", [1, 2], [1, 2], obj({
        "event_type": STRING, "url": {"type": "string", "description": "an http or https URL"},
        "scope": {"type": "string", "description": "till or company, in any case"}, "scope_reference": STRING,
        "enable_daraja_payload": BOOLEAN}, ["event_type", "url", "scope"]), []),
    ("merchant_bank_account", "merchant_bank_accounts", [1, 2], [1, 2], obj({
        "account_name": STRING, "account_number": STRING, "bank_branch_ref": STRING,
        "settlement_method": STRING, "nickname": STRING}, ["account_name", "account_number", "bank_branch_ref"]), []),
    ("merchant_wallet", "merchant_wallets", [1, 2], [1, 2], obj({
        "first_name": STRING, "last_name": STRING, "phone_number": STRING, "network": STRING, "nickname": STRING},
        ["first_name", "last_name", "phone_number", "network"]), []),
    ("settlement_transfer", "settlement_transfers", [1], [1], obj({
        "destination_type": STRING, "destination_reference": STRING, "amount": AMOUNT, "metadata": METADATA,
        "_links": LINKS_IN}, ["_links"]), []),
    ("polling", "polling", [1, 2], [1, 2], obj({
        "scope": {"type": "string", "description": "till or company, in any case"}, "scope_reference": STRING,
        "from_time": STRING, "to_time": STRING, "_links": LINKS_IN}, ["scope", "from_time", "to_time", "_links"]), []),
    ("transaction_sms_notification", "transaction_sms_notifications", [1], [1], obj({
        "webhook_event_reference": STRING, "message": STRING, "_links": LINKS_IN},
        ["webhook_event_reference", "message", "_links"]), []),
    ("reversal", "reversals", [2], [2], obj({
        "transaction_reference": STRING, "reason": STRING, "metadata": METADATA, "_links": LINKS_IN},
        ["transaction_reference", "_links"]), []),
    ("payment_link", "payment_links", [2], [2], obj({
        "till_number": STRING, "currency": STRING, "amount": AMOUNT_VALUE, "payment_reference": STRING, "note": STRING,
        "metadata": METADATA, "_links": LINKS_IN}, ["till_number", "amount", "_links"]), ["cancel"]),
]

# A request each create accepts (with the default scenario's pay recipient), for readers and for
# schemathesis's examples phase.
CALLBACK = {"callback_url": "http://127.0.0.1:9/k2"}
EXAMPLES = {
    "payment": {"destination_type": "mobile_wallet", "destination_reference": "c7f300c0-f1ef-4151-9bbe-005005aa3747",
                "amount": {"currency": "KES", "value": 20000}, "metadata": {"notes": "May"}, "_links": CALLBACK},
    "send_money": {"source_identifier": None, "currency": "KES", "destinations": [
        {"type": "mobile_wallet", "phone_number": "+254999999999", "network": "Safaricom", "amount": 500,
         "description": "Salary", "favourite": False}], "_links": CALLBACK},
    "incoming_payment": {"payment_channel": "M-PESA STK Push", "till_number": "K000000",
                         "subscriber": {"phone_number": "+254799999999"}, "amount": {"currency": "KES", "value": 100},
                         "_links": CALLBACK},
    "pay_recipient": {"type": "mobile_wallet", "pay_recipient": {"first_name": "Jane", "last_name": "Doe",
                                                                "phone_number": "+254999999999", "network": "Safaricom"}},
    "external_recipient": {"type": "till", "external_recipient": {"till_name": "Shop", "till_number": "555555",
                                                                  "nickname": "shop"}},
    "webhook_subscription": {"event_type": "buygoods_transaction_received", "url": "http://127.0.0.1:9/hooks",
                             "scope": "company"},
    "merchant_bank_account": {"account_name": "Shop", "account_number": "1234567890",
                              "bank_branch_ref": "633aa26c-7b7c-4091-ae28-96c0687cf886", "settlement_method": "RTS"},
    "merchant_wallet": {"first_name": "Jane", "last_name": "Doe", "phone_number": "+254999999999", "network": "Safaricom"},
    "settlement_transfer": {"_links": CALLBACK},
    "polling": {"scope": "company", "scope_reference": "", "from_time": "2021-01-28T09:00:00+03:00",
                "to_time": "2021-01-28T11:00:00+03:00", "_links": CALLBACK},
    "transaction_sms_notification": {"webhook_event_reference": "x", "message": "Thanks", "_links": CALLBACK},
    "reversal": {"transaction_reference": "QWE1234567", "reason": "refund", "_links": CALLBACK},
    "payment_link": {"till_number": "K000000", "currency": "KES", "amount": 500, "payment_reference": "order-1",
                     "note": "Order 1", "_links": CALLBACK},
}

K2_SECURITY = [{"k2Bearer": []}]
ADMIN_SECURITY = [{"adminBearer": []}, {}]
# Answers many operations give, written once under components/responses.
SHARED_RESPONSES = {
    "Unauthorized": {"description": "the bearer token is missing, unknown, expired or revoked",
                     "headers": {"WWW-Authenticate": {"schema": STRING, "required": True}},
                     "content": {"application/json": {"schema": ref("Error")}}},
    "NotFound": ERROR("no such resource"),
    "CreateRefused": ERROR("the request is not one k2mock can create from (the message says why)"),
    "TooLarge": ERROR("the body is over 1 MiB"),
    "NotJSON": ERROR("the body is not application/json"),
    "OAuthBadRequest": json_body({"oneOf": [ref("OAuthError"), ref("Error")]},
                                 "no or another grant type (OAuth's shape), or a body that cannot be read (K2's)"),
    "OAuthUnknownClient": OAUTH_ERROR("unknown client or wrong secret"),
    "AdminUnauthorized": ERROR("`--admin-token` was given and this request lacks it"),
}


def shared(name):
    return {"$ref": "#/components/responses/" + name}


UNAUTHORIZED, NOT_FOUND = shared("Unauthorized"), shared("NotFound")
ID = {"name": "id", "in": "path", "required": True, "schema": STRING}


def kind_operations(paths):
    for kind, collection, versions, create_versions, request, actions in KINDS:
        for version in versions:
            base = "/api/v%d/%s" % (version, collection)
            get_id = "get_v%d_%s" % (version, kind)
            paths.setdefault(base + "/{id}", {})["get"] = {
                "operationId": get_id, "tags": ["K2 API"], "summary": "a %s (v%d)" % (kind, version),
                "security": K2_SECURITY, "parameters": [ID],
                "responses": {"200": json_body(ref("Resource"), "the %s as its client reads it" % kind),
                              "401": UNAUTHORIZED, "404": NOT_FOUND}}
            if version in create_versions:
                paths.setdefault(base, {})["post"] = {
                    "operationId": "create_v%d_%s" % (version, kind), "tags": ["K2 API"],
                    "summary": "create a %s (v%d)" % (kind, version), "security": K2_SECURITY,
                    "requestBody": {"required": True, "content": {"application/json": {
                        "schema": request, "example": EXAMPLES[kind]}}},
                    "responses": {
                        "201": {"description": "created; the body is empty and `location` says where to GET it",
                                "headers": {"location": {"schema": STRING, "required": True}},
                                "links": {"GetCreated": {"operationId": get_id, "parameters": {
                                    "id": "$response.header.location#regex:/%s/([^/]+)$" % collection}},
                                    **{action.capitalize() + "Created": {
                                        "operationId": "%s_v%d_%s" % (action, version, kind), "parameters": {
                                            "id": "$response.header.location#regex:/%s/([^/]+)$" % collection}}
                                       for action in actions}}},
                        "400": shared("CreateRefused"), "401": UNAUTHORIZED,
                        "413": shared("TooLarge"), "415": shared("NotJSON")}}
            for action in actions:
                paths["%s/{id}/%s" % (base, action)] = {"post": {
                    "operationId": "%s_v%d_%s" % (action, version, kind), "tags": ["K2 API"],
                    "summary": "%s a %s" % (action, kind), "security": K2_SECURITY, "parameters": [ID],
                    "responses": {"200": json_body(obj({"message": STRING}, ["message"]), "done"),
                                  "400": ERROR("it cannot be done now (a paid link cannot be cancelled)"),
                                  "401": UNAUTHORIZED, "404": NOT_FOUND}}}


FORM = "application/x-www-form-urlencoded"
# OAuth's own errors are RFC 6749's shape; a body that cannot be read at all gets K2's.
OAUTH_BAD_REQUEST, OAUTH_UNKNOWN_CLIENT = shared("OAuthBadRequest"), shared("OAuthUnknownClient")
OAUTH_UNAUTHORIZED_TOKEN = {"description": "the bearer token is missing, unknown, expired or revoked",
                            "headers": {"WWW-Authenticate": {"schema": STRING, "required": True}},
                            "content": {"application/json": {"schema": ref("OAuthError")}}}


def form_body(properties, required):
    schema = obj(properties, required)
    return {"required": True, "content": {FORM: {"schema": schema}, "application/json": {"schema": schema}}}


def oauth_operations(paths):
    credentials = {"client_id": STRING, "client_secret": STRING}
    paths["/oauth/token"] = {"post": {
        "operationId": "oauth_token", "tags": ["OAuth"], "summary": "a bearer token for a client (RFC 6749 §4.4)",
        "requestBody": form_body({**credentials, "grant_type": {"type": "string", "enum": ["client_credentials"]}},
                                 ["client_id", "client_secret", "grant_type"]),
        "responses": {"200": json_body(ref("Token"), "the token"),
                      "400": OAUTH_BAD_REQUEST,
                      "401": OAUTH_UNKNOWN_CLIENT}}}
    paths["/oauth/revoke"] = {"post": {
        "operationId": "oauth_revoke", "tags": ["OAuth"], "summary": "revoke a token (RFC 7009)",
        "requestBody": form_body({**credentials, "token": STRING}, ["client_id", "client_secret", "token"]),
        "responses": {"200": json_body({"type": "object"}, "`{}`, whether or not the token existed"),
                      "400": OAUTH_BAD_REQUEST,
                      "401": OAUTH_UNKNOWN_CLIENT}}}
    paths["/oauth/introspect"] = {"post": {
        "operationId": "oauth_introspect", "tags": ["OAuth"], "summary": "what a token is (RFC 7662)",
        "requestBody": form_body({**credentials, "token": STRING}, ["client_id", "client_secret", "token"]),
        "responses": {"200": json_body(ref("Introspection"), "`{\"active\": false}` for an unknown, expired or revoked token"),
                      "400": OAUTH_BAD_REQUEST,
                      "401": OAUTH_UNKNOWN_CLIENT}}}
    paths["/oauth/token/info"] = {"get": {
        "operationId": "oauth_token_info", "tags": ["OAuth"], "summary": "the bearer token's own details",
        "security": K2_SECURITY,
        "responses": {"200": json_body(ref("TokenInfo"), "the token"), "401": OAUTH_UNAUTHORIZED_TOKEN}}}


def event_operations(paths):
    paths["/webhook_events/{id}"] = {"get": {
        "operationId": "get_webhook_event", "tags": ["K2 API"], "summary": "a fired webhook event's envelope",
        "security": K2_SECURITY, "parameters": [ID],
        "responses": {"200": json_body({"type": "object"}, "the envelope, as it was delivered"),
                      "401": UNAUTHORIZED, "404": NOT_FOUND}}}
    for collection in ("financial_transaction", "payment_batches", "mobile_money_user", "transfer_batch"):
        paths["/%s/{id}" % collection] = {"get": {
            "operationId": "get_event_%s" % collection, "tags": ["K2 API"],
            "summary": "the resource a fired event carried (`_links.resource`)", "security": K2_SECURITY,
            "parameters": [ID],
            "responses": {"200": json_body(obj({"data": obj({"id": STRING, "type": STRING, "attributes": {"type": "object"}},
                                                            ["id", "type", "attributes"])}, ["data"]), "the resource"),
                          "401": UNAUTHORIZED, "404": NOT_FOUND}}}


def admin(operation_id, summary, responses, **extra):
    operation = {"operationId": operation_id, "tags": ["admin"], "summary": summary, "security": ADMIN_SECURITY}
    operation.update(extra)
    operation["responses"] = {**responses, "401": shared("AdminUnauthorized")}
    return operation


def admin_operations(paths):
    ok = lambda schema, description: {"200": json_body(schema, description)}  # noqa: E731
    array = lambda name: {"type": "array", "items": ref(name)}  # noqa: E731
    limit = {"name": "limit", "in": "query", "required": False, "schema": {"type": "string", "pattern": "^[0-9]{1,9}$"},
             "description": "only the last N entries"}
    bad_limit = {"400": ERROR("`limit` is not a whole number")}
    paths["/__admin/health"] = {"get": admin("admin_health", "health and delivery counts", ok(ref("Health"), "up"))}
    paths["/__admin/clock"] = {"get": admin("admin_clock", "sandbox time", ok(ref("Clock"), "now"))}
    paths["/__admin/clock/advance"] = {"post": admin(
        "admin_advance", "move sandbox time and run what falls due",
        {**ok(ref("Advance"), "what ran, in order"), "400": ERROR("`seconds` is missing or out of range"),
         "503": ERROR("k2mock is stopping; the clock stopped short")},
        requestBody={"required": True, "content": {"application/json": {"schema": obj(
            {"seconds": {"type": "number", "minimum": 0, "maximum": 1e10}}, ["seconds"])}}})}
    paths["/__admin/reset"] = {"post": admin("admin_reset", "back to the scenario's start", ok(ref("Clock"), "the clock"))}
    paths["/__admin/requests"] = {"get": admin(
        "admin_requests", "the request journal", {**ok(array("RecordedRequest"), "oldest first"), **bad_limit},
        parameters=[limit])}
    paths["/__admin/resources"] = {"get": admin(
        "admin_resources", "every resource", ok(array("ResourceEntry"), "fixtures, then created ones oldest first"))}
    paths["/__admin/callbacks"] = {"get": admin(
        "admin_callbacks", "the delivery journal", {**ok(array("Delivery"), "oldest first"), **bad_limit},
        parameters=[limit, {"name": "resource_id", "in": "query", "required": False, "schema": STRING,
                            "description": "only this resource's callbacks"}])}
    paths["/__admin/callbacks/{id}/redeliver"] = {"post": admin(
        "admin_redeliver", "send a delivery once more, now",
        {**ok(ref("Delivery"), "its journal entry"), "404": ERROR("no such delivery"),
         "503": ERROR("k2mock is stopping")},
        parameters=[{"name": "id", "in": "path", "required": True, "schema": STRING}])}
    paths["/__admin/events"] = {"post": admin(
        "admin_fire_event", "fire a webhook event now",
        {"200": {**json_body(ref("FiredEvent"), "the event and what ran"),
                 "links": {"GetEvent": {"operationId": "get_webhook_event", "parameters": {"id": "$response.body#/id"}}}},
         "400": ERROR("unknown topic or a bad option"),
         "503": ERROR("k2mock is stopping")},
        requestBody={"required": True, "content": {"application/json": {"schema": obj({
            "topic": STRING, "resource": {"type": "object"}, "delay": STRING,
            "duplicates": {"type": "integer", "minimum": 0, "maximum": 100}, "bad_signature": BOOLEAN}, ["topic"])}}})}
    paths["/__admin/expectations"] = {"get": admin("admin_expectations", "the scenario's expectations checked now",
                                                   ok(ref("Expectations"), "each with its count"))}
    paths["/__admin/kinds"] = {"get": admin("admin_kinds", "every kind with stages", ok(array("Kind"), "in the registry's order"))}
    paths["/__admin/transcript"] = {"get": admin(
        "admin_transcript", "the whole conversation: K2 requests and answers, delivery attempts, clock advances",
        {"200": {"description": "YAML documents, format k2mock-transcript/1 (docs/transcripts.md); ports as placeholders",
                 "content": {"text/plain": {"schema": STRING}}},
         "409": ERROR("`snapshot=true` on a real clock, whose transcript differs in every run")},
        parameters=[{"name": "snapshot", "in": "query", "required": False, "schema": STRING,
                     "description": "`true` or `1`: refuse (409) unless the run is reproducible (a manual clock)"}])}
    paths["/__admin/transcript/diff"] = {"post": admin(
        "admin_transcript_diff", "how two transcripts differ, in words",
        {**ok(obj({"equal": BOOLEAN, "differences": {"type": "array", "items": STRING}}, ["equal", "differences"]),
              "one line per difference, expected as the old side"),
         "400": ERROR("the body is not two strings, or one is not a transcript of this format")},
        requestBody={"required": True, "content": {"application/json": {"schema": obj(
            {"expected": STRING, "actual": STRING}, ["expected", "actual"])}}})}
    paths["/__admin/topics"] = {"get": admin("admin_topics", "the webhook topics", ok({"type": "array", "items": STRING}, "alphabetical"))}
    paths["/__admin/openapi.json"] = {"get": admin("admin_openapi", "this document", ok({"type": "object"}, "OpenAPI 3.1"))}
    paths["/__admin/stream"] = {"get": admin(
        "admin_stream", "the change stream (Server-Sent Events; never ends by itself)",
        {"200": {"description": "`event: resource|delivery|webhook_event|request|clock|reset` and `data: {...}`",
                 "content": {"text/event-stream": {"schema": STRING}}},
         "503": ERROR("k2mock is stopping")})}
    # Every sandbox's own copy of the endpoints above (docs/sandboxes.md).
    scope = {"name": "sandbox", "in": "path", "required": True, "schema": STRING, "description": "the sandbox's id"}
    for path in [p for p in list(paths) if p.startswith("/__admin/") and p not in ("/__admin/openapi.json", "/__admin/topics")]:
        for method, operation in paths[path].items():
            scoped = json.loads(json.dumps(operation))
            scoped["operationId"] += "_in_sandbox"
            scoped["summary"] += ", in sandbox {sandbox}"
            scoped["parameters"] = [scope] + scoped.get("parameters", [])
            scoped["responses"]["404"] = ERROR("no such sandbox" + (", or no such delivery" if "redeliver" in path else ""))
            for response in scoped["responses"].values():
                response.pop("links", None)
            paths.setdefault("/__admin/sandboxes/{sandbox}" + path[len("/__admin"):], {})[method] = scoped
    sandbox_id = {"name": "id", "in": "path", "required": True, "schema": STRING, "description": "the sandbox's id (its name)"}
    paths["/__admin/sandboxes"] = {
        "post": admin(
            "admin_create_sandbox", "make a sandbox beside the server's own",
            {"201": {**json_body(ref("Sandbox"), "the sandbox, its credentials and tokens"),
                     "headers": {"location": {"schema": STRING, "description": "its admin URL"}},
                     "links": {"GetSandbox": {"operationId": "admin_get_sandbox", "parameters": {"id": "$response.body#/id"}}}},
             "400": ERROR("a bad field, or a scenario that does not load (its file, line, column and key)"),
             "409": ERROR("the name, or one of its credentials or tokens, is taken"),
             "429": ERROR("the server holds --max-sandboxes sandboxes already")},
            requestBody={"required": False, "content": {"application/json": {"schema": {**obj({
                "name": {"type": "string", "pattern": "^[A-Za-z0-9_-]{1,64}$"},
                "scenario": {"type": "string", "description": "a scenario file's path on the server"},
                "scenario_yaml": {"type": "string", "description": "a scenario as YAML text"},
                "seed": {"type": "integer", "minimum": 0},
                "clock": {"type": "string", "enum": ["manual", "real"]},
                "time_scale": {"type": "number", "exclusiveMinimum": 0, "maximum": 1000000},
                "ttl": {"type": "string", "description": "idle wall time after which it ends: 30s, 15m, 1h, 1d"}}),
                "additionalProperties": False}}}}),
        "get": admin("admin_sandboxes", "every sandbox beside the server's own", ok(array("Sandbox"), "oldest first")),
    }
    paths["/__admin/sandboxes/{id}"] = {
        "get": admin("admin_get_sandbox", "one sandbox", {**ok(ref("Sandbox"), "it"), "404": ERROR("no such sandbox")},
                     parameters=[sandbox_id]),
        "delete": admin("admin_delete_sandbox", "end a sandbox: its tokens answer 401, its pending deliveries are dropped",
                        {**ok(obj({"id": STRING, "deleted": BOOLEAN, "dropped_deliveries": INTEGER},
                                  ["id", "deleted", "dropped_deliveries"]), "it is gone"),
                         "404": ERROR("no such sandbox")},
                        parameters=[sandbox_id]),
    }
    page = {"security": [{}], "tags": ["admin"]}
    paths["/__admin"] = {"get": {**page, "operationId": "admin_dashboard", "summary": "the dashboard",
                                 "responses": {"200": {"description": "the page", "content": {"text/html": {"schema": STRING}}}}}}
    paths["/__admin/dashboard.css"] = {"get": {**page, "operationId": "admin_dashboard_css", "summary": "its styles",
                                               "responses": {"200": {"description": "CSS", "content": {"text/css": {"schema": STRING}}}}}}
    paths["/__admin/dashboard.js"] = {"get": {**page, "operationId": "admin_dashboard_js", "summary": "its script",
                                              "responses": {"200": {"description": "JavaScript", "content": {"text/javascript": {"schema": STRING}}}}}}


def schemas():
    attempt = obj({"attempt": INTEGER, "at": STRING, "due": STRING, "redelivery": BOOLEAN, "status": {"type": ["integer", "null"]},
                   "error": NULLABLE_STRING, "latency_ms": {"type": "number"},
                   "outcome": {"type": "string", "enum": ["delivered", "failed", "interrupted"]}},
                  ["attempt", "at", "due", "redelivery", "status", "error", "latency_ms", "outcome"])
    return {
        "Error": obj({"error_code": INTEGER, "error_message": STRING}, ["error_code", "error_message"]),
        "OAuthError": obj({"error": STRING, "error_description": STRING}, ["error"]),
        "Resource": obj({"data": obj({"id": STRING, "type": STRING, "attributes": {"type": "object"}},
                                     ["id", "type", "attributes"])}, ["data"]),
        "Token": obj({"access_token": STRING, "token_type": STRING, "expires_in": {"type": ["integer", "null"]},
                      "created_at": INTEGER}, ["access_token", "token_type", "expires_in", "created_at"]),
        "Introspection": obj({"active": BOOLEAN}, ["active"]),
        "TokenInfo": {"type": "object"},
        "Health": obj({"status": STRING, "scenario": STRING, "clock": STRING, "deliveries": obj(
            {"pending": INTEGER, "delivered": INTEGER, "failed": INTEGER}, ["pending", "delivered", "failed"])},
            ["status", "scenario", "clock", "deliveries"]),
        "Clock": obj({"now": STRING, "mode": {"type": "string", "enum": ["manual", "real"]}, "scale": {"type": "number"}},
                     ["now", "mode", "scale"]),
        "Advance": obj({"now": STRING, "mode": STRING, "scale": {"type": "number"},
                        "ran": {"type": "array", "items": {"type": "object"}}}, ["now", "mode", "scale", "ran"]),
        "RecordedRequest": obj({"at": STRING, "method": STRING, "path": STRING, "status": INTEGER},
                               ["at", "method", "path", "status"]),
        "ResourceEntry": obj({"kind": STRING, "id": STRING, "stage": NULLABLE_STRING, "created_at": NULLABLE_STRING,
                              "timeline": {"type": "array", "items": obj({"stage": STRING, "at": STRING, "reached": BOOLEAN},
                                                                         ["stage", "at", "reached"])},
                              "path": STRING, "body": {"type": ["object", "null"]}},
                             ["kind", "id", "stage", "created_at", "timeline", "path", "body"]),
        "Attempt": attempt,
        "Delivery": obj({"id": INTEGER, "kind": {"type": "string", "enum": ["callback", "webhook"]},
                         "resource": STRING, "resource_id": STRING, "topic": STRING, "event_id": STRING, "url": STRING,
                         "outcome": {"type": "string", "enum": ["pending", "delivered", "failed"]}, "created_at": STRING,
                         "signature": STRING, "body": STRING, "attempts": {"type": "array", "items": ref("Attempt")}},
                        ["id", "kind", "url", "outcome", "created_at", "signature", "body", "attempts"]),
        "FiredEvent": obj({"at": STRING, "event": STRING, "id": STRING, "deliveries": {"type": "array", "items": INTEGER},
                           "ran": {"type": "array", "items": {"type": "object"}}}, ["at", "event", "id", "deliveries", "ran"]),
        "Expectations": obj({"passed": BOOLEAN, "results": {"type": "array", "items": obj(
            {"description": STRING, "expected": INTEGER, "actual": INTEGER, "passed": BOOLEAN},
            ["description", "expected", "actual", "passed"])}}, ["passed", "results"]),
        "Sandbox": obj({
            "id": STRING, "name": STRING, "scenario": STRING, "seed": {"type": ["integer", "null"]}, "ttl": NULLABLE_STRING,
            "credentials": {"type": "array", "items": obj({"client_id": STRING, "client_secret": STRING, "api_key": STRING},
                                                          ["client_id", "client_secret", "api_key"])},
            "tokens": {"type": "array", "items": obj({"value": STRING, "client_id": STRING}, ["value", "client_id"])},
            "clock": ref("Clock"), "admin": STRING},
            ["id", "name", "scenario", "seed", "ttl", "credentials", "tokens", "clock", "admin"]),
        "Kind": obj({"kind": STRING, "stages": {"type": "array", "items": STRING}, "final": {"type": "array", "items": STRING}},
                    ["kind", "stages", "final"]),
    }


def document():
    paths = {}
    oauth_operations(paths)
    kind_operations(paths)
    event_operations(paths)
    admin_operations(paths)
    return {
        "openapi": "3.1.0",
        "info": {"title": "k2mock", "version": VERSION, "description":
                 "An offline, deterministic fake of the Kopo Kopo K2 Connect API: the K2 API it serves (v1 and v2), "
                 "OAuth, and its own admin API under /__admin. This describes k2mock as it is; docs/k2-api.md "
                 "says where it differs from K2."},
        "servers": [{"url": "http://127.0.0.1:8080"}],
        "paths": dict(sorted(paths.items())),
        "components": {
            "securitySchemes": {
                "k2Bearer": {"type": "http", "scheme": "bearer", "description": "a token from /oauth/token or the scenario"},
                "adminBearer": {"type": "http", "scheme": "bearer", "description": "the `--admin-token`, when one was given"}},
            "responses": SHARED_RESPONSES,
            "schemas": schemas()},
    }


def main():
    text = json.dumps(document(), indent=2, ensure_ascii=False) + "\n"
    os.makedirs(os.path.join(ROOT, "openapi"), exist_ok=True)
    open(os.path.join(ROOT, "openapi", "k2mock.json"), "w").write(text)
    assert '"""#' not in text
    swift = ('/// The OpenAPI 3.1 document of everything k2mock serves (`GET /__admin/openapi.json`), embedded\n'
             '/// byte for byte. Generated by scripts/openapi.py, which also writes openapi/k2mock.json; a test\n'
             '/// checks the copies match and that every route is described. Edit the script, then run it.\n'
             'enum OpenAPIDocument {\n    static let json = #"""\n' + text.rstrip("\n") + '\n"""#\n}\n')
    open(os.path.join(ROOT, "Sources", "AdminAPI", "OpenAPIDocument.swift"), "w").write(swift)
    print("openapi/k2mock.json: %d operations, %d bytes" % (
        sum(len(p) for p in document()["paths"].values()), len(text.encode())))


if __name__ == "__main__":
    main()
