"""The admin HTTP API under /_admin: JSON in, JSON out, over one instance's domain state.

Bad input is a 400 with a JSON error naming the problem, and changes nothing.
"""

from __future__ import annotations

import json
import os
import time
from dataclasses import asdict, is_dataclass
from datetime import datetime, timedelta

from werkzeug.exceptions import HTTPException, NotFound
from werkzeug.routing import Map, Rule
from werkzeug.wrappers import Request, Response

from mockmkto import __version__
from mockmkto.admin import guard
from mockmkto.domain import campaign_runs, imports, mobject_listing, program_views, state
from mockmkto.domain.auth import parse_timestamp
from mockmkto.domain.clock import OutOfRange
from mockmkto.domain.errors import MarketoError
from mockmkto.domain.instance import Instance
from mockmkto.domain.journal import Journal
from mockmkto.domain.seed_format import SeedError
from mockmkto.domain.values import INT_MAX, NOT_XML_PROBLEM, integer, not_xml, whole_number


class BadRequest(Exception):
    """Admin input that cannot be applied; becomes a 400 JSON error."""


def json_response(body, status: int = 200, headers: dict[str, str] | None = None) -> Response:
    return Response(json.dumps(body, default=str), status=status, headers=headers, content_type="application/json")


class AdminApi:
    """Routes of /_admin for one instance. `seeds` resolves `?seed=<name>` to a seed document."""

    url_map = Map(
        [
            Rule("/health", endpoint="health", methods=["GET"]),
            Rule("/config", endpoint="config", methods=["GET"]),
            Rule("/reset", endpoint="reset", methods=["POST"]),
            Rule("/seed", endpoint="seed", methods=["POST"]),
            Rule("/export", endpoint="export", methods=["GET"]),
            Rule("/leads", endpoint="leads", methods=["GET"]),
            Rule(f"/leads/<int(max={INT_MAX}):lead_id>", endpoint="lead", methods=["GET"]),
            Rule("/lists", endpoint="lists", methods=["GET"]),
            Rule("/programs", endpoint="programs", methods=["GET"]),
            Rule("/campaigns", endpoint="campaigns", methods=["GET"]),
            Rule("/campaign-runs", endpoint="campaign_runs", methods=["GET"]),
            Rule("/imports", endpoint="imports", methods=["GET"]),
            Rule("/mobjects", endpoint="mobjects", methods=["GET"]),
            Rule("/journal", endpoint="journal", methods=["GET", "DELETE"]),
            Rule("/clock", endpoint="clock", methods=["GET", "POST"]),
            Rule("/faults", endpoint="faults", methods=["GET", "POST", "DELETE"]),
            Rule("/quotas", endpoint="quotas", methods=["GET", "POST"]),
            Rule("/", endpoint="dashboard", defaults={"page": ""}, methods=["GET"]),
            Rule("/ui/<path:page>", endpoint="dashboard", methods=["GET"]),
            Rule("/ui/actions/<action>", endpoint="dashboard_action", methods=["POST"]),
        ]
    )

    def __init__(self, config, seeds, instance_names):
        self.config = config
        self.seeds = seeds
        self.instance_names = instance_names  # the server's instances, for the dashboard

    @property
    def start_seed(self) -> dict | None:
        """The seed the server started with (`--seed`), where a reset without a seed returns to."""
        return self.seeds.get("serve") if self.config.seed else None

    def refusal(self, request: Request, path: str) -> Response | None:
        """The JSON error for a request that may not use the admin API, or None.

        Checked before the instance is looked up, so a refused request does not even create one.
        `/_admin/health` stays open: container and load-balancer probes hold no token.
        """
        try:
            if self.config.admin_token and request.path != "/_admin/health":
                guard.check_token(request, self.config.admin_token)
            guard.check_same_origin(request)
            # The dashboard's own forms are not JSON (they carry the dashboard's CSRF token).
            if not _is_dashboard(path):
                guard.check_json_body(request)
        except guard.Refused as refused:
            return json_response({"error": refused.reason}, refused.status, refused.headers)
        return None

    def dispatch(self, request: Request, path: str, instance: Instance, journal: Journal) -> Response:
        try:
            endpoint, args = self.url_map.bind("localhost", default_method=request.method).match(
                "/" + path, method=request.method
            )
            for kind, fields in (("query parameter", request.args), ("form field", request.form)):
                for name, value in fields.items(multi=True):
                    _refuse_not_xml(name, f"a {kind}'s name")
                    _refuse_not_xml(value, f"{kind} {name}")
            return getattr(self, f"on_{endpoint}")(request, instance, journal, **args)
        except BadRequest as exc:
            return json_response({"error": str(exc)}, 400)
        except SeedError as exc:
            return json_response({"error": exc.problem, "path": exc.path}, 400)
        except NotFound:
            return json_response({"error": f"no admin resource /_admin/{path}"}, 404)
        except HTTPException as exc:
            return json_response({"error": exc.description}, exc.code or 500)

    def on_health(self, request, instance, journal):
        return json_response(
            {
                "ready": True,
                "version": __version__,
                "db": instance.engine_name,
                "instance": instance.name,
                "pid": os.getpid(),  # which process answered (`mockmkto serve --workers N`)
            }
        )

    def on_config(self, request, instance, journal):
        return json_response(
            {
                "db": self.config.db,
                "auth": self.config.auth,
                "signatureWindowSeconds": self.config.signature_window_seconds,
                "maxRequestBytes": self.config.max_request_bytes,
                "journalCap": journal.cap,
                "versions": list(self.config.versions),
                "seeds": self.seeds.names(),
                "instance": instance.name,
                "users": [user_id for user_id, _ in instance.credentials()],
            }
        )

    def on_reset(self, request, instance, journal):
        """Back to the seed the server started with; to a named seed (`?seed=`); or empty (`?empty=true`)."""
        name = request.args.get("seed")
        empty = _bool_arg(request, "empty")
        if name and empty:
            raise BadRequest("reset takes seed= or empty=true, not both")
        if name:
            seed = self.seeds.get(name)
            if seed is None:
                raise BadRequest(f"unknown seed {name!r}; known: {', '.join(self.seeds.names())}")
        else:
            seed = None if empty else self.start_seed
        started = time.perf_counter()
        instance.reset(seed)
        took = round((time.perf_counter() - started) * 1000, 3)
        return json_response({"reset": True, "seed": name, "empty": seed is None, "ms": took})

    def on_seed(self, request, instance, journal):
        """Load a seed document on top of the state, or instead of it (`?replace=true`), in one step."""
        doc = _json_document(request)  # its texts are checked as a seed's, by their path in it
        if _bool_arg(request, "replace"):
            return json_response({"loaded": instance.reset(doc, remember=False), "replaced": True})
        return json_response({"loaded": instance.load(doc)})

    def on_export(self, request, instance, journal):
        """The state as a seed; users' secrets only with `?secrets=true` (docs/behaviour.md: the round trip)."""
        secrets = _bool_arg(request, "secrets")
        with instance.unit_of_work() as session:
            doc = state.export_seed(session)
        if not secrets:
            for user in doc["users"]:
                del user["secret"]
        return json_response(doc)

    def on_leads(self, request, instance, journal):
        lead_id = _int_arg(request, "id")
        limit = _int_arg(request, "limit") or 100
        offset = _int_arg(request, "offset") or 0
        with instance.unit_of_work() as session:
            return json_response(
                state.leads_json(
                    session,
                    request.args.get("email"),
                    lead_id,
                    request.args.get("partition"),
                    limit,
                    offset,
                    request.args.get("emailContains"),
                )
            )

    def on_lead(self, request, instance, journal, lead_id: int):
        with instance.unit_of_work() as session:
            detail = state.lead_detail_json(session, lead_id)
        if detail is None:
            return json_response({"error": f"no lead {lead_id}"}, 404)
        return json_response(detail)

    def on_lists(self, request, instance, journal):
        with instance.unit_of_work() as session:
            return json_response(state.lists_json(session))

    def on_programs(self, request, instance, journal):
        with instance.unit_of_work() as session:
            return json_response(camel_json(program_views.list_programs(session)))

    def on_campaigns(self, request, instance, journal):
        with instance.unit_of_work() as session:
            return json_response(camel_json(program_views.list_campaigns(session)))

    def on_campaign_runs(self, request, instance, journal):
        """Every run as stored: campaign, source, time, leads and their tokens (a due run not yet carried out
        is scheduled: the instance carries it out before its next SOAP call, never a read)."""
        with instance.unit_of_work() as session:
            runs = campaign_runs.list_runs(session, _int_arg(request, "campaignId"))
            return json_response(camel_json(runs))

    def on_imports(self, request, instance, journal):
        with instance.unit_of_work() as session:
            return json_response(camel_json(imports.list_imports(session, instance.clock)))

    def on_mobjects(self, request, instance, journal):
        """MObjects (programs with costs and tags, opportunities, roles), all or of one `type`."""
        with instance.unit_of_work() as session:
            try:
                return json_response(mobject_listing.list_mobjects(session, request.args.get("type")))
            except MarketoError as error:
                raise BadRequest(error.text) from None

    def on_journal(self, request, instance, journal):
        if request.method == "DELETE":
            journal.clear()
            return json_response({"cleared": True})
        entries = journal.entries(
            request.args.get("operation"),
            request.args.get("fault"),
            request.args.get("user"),
            _int_arg(request, "limit"),
        )
        bodies = request.args.get("bodies", "true").lower() != "false"
        return json_response({"count": len(entries), "entries": [e.to_json(bodies) for e in entries]})

    def on_clock(self, request, instance, journal):
        clock = instance.clock
        if request.method == "POST":
            body = _json_body(request)
            unknown = set(body) - {"freeze", "set", "advance", "reset"}
            if unknown:
                raise BadRequest(f"unknown clock fields: {', '.join(sorted(unknown))}")
            at = _datetime(body["set"], "set") if "set" in body else None
            advance = body.get("advance")
            if advance is not None and (isinstance(advance, bool) or not isinstance(advance, (int, float))):
                raise BadRequest("advance is a number of seconds")
            freeze = body.get("freeze")
            if freeze is not None and not isinstance(freeze, bool):
                raise BadRequest("freeze is true or false")
            try:
                with instance.unit_of_work():  # all of the changes, or none
                    if body.get("reset"):
                        clock.reset()
                    if freeze is True:
                        clock.freeze()
                    if at is not None:
                        clock.set(at)
                    if advance:
                        try:
                            delta = timedelta(seconds=advance)
                        except OverflowError:
                            raise OutOfRange() from None
                        clock.advance(delta)
                    if freeze is False:
                        clock.unfreeze()
            except OutOfRange as out_of_range:
                raise BadRequest(str(out_of_range)) from None
        with instance.unit_of_work():  # the clock as the shared state has it now
            return json_response({"now": clock.now().isoformat(), "frozen": clock.frozen})

    def on_faults(self, request, instance, journal):
        limits = instance.limits
        if request.method == "DELETE":
            limits.clear_faults()
            return json_response({"cleared": True})
        if request.method == "POST":
            body = _json_body(request)
            fields = {
                "operation": "operation",
                "code": "code",
                "message": "message",
                "delayMs": "delay_ms",
                "count": "count",
                "probability": "probability",
                "transport": "transport",
            }
            unknown = set(body) - set(fields)
            if unknown:
                raise BadRequest(f"unknown fault fields: {', '.join(sorted(unknown))}")
            try:
                fault = limits.inject(**{fields[k]: v for k, v in body.items()})
            except (TypeError, ValueError) as exc:
                raise BadRequest(str(exc)) from None
            return json_response(fault.to_json(), 201)
        return json_response([fault.to_json() for fault in limits.faults()])

    def on_quotas(self, request, instance, journal):
        if request.method == "POST":
            body = _json_body(request)
            names = {"enabled", "daily", "rate", "concurrency"}
            unknown = set(body) - names
            if unknown:
                raise BadRequest(f"unknown quota fields: {', '.join(sorted(unknown))}")
            for key, value in body.items():
                if key == "enabled" and not isinstance(value, bool):
                    raise BadRequest("enabled must be true or false")
                if key != "enabled" and not whole_number(value, 1):
                    raise BadRequest(f"{key} must be a whole number from 1 to {INT_MAX}")
            return json_response(asdict(instance.limits.set_quotas(**body)))
        return json_response(asdict(instance.limits.quotas))

    def on_dashboard(self, request, instance, journal, page: str):
        # Loaded on the first page view: health checks and test fixtures use only the JSON routes.
        from mockmkto.admin import dashboard

        return dashboard.render(request, page, instance, journal, self)

    def on_dashboard_action(self, request, instance, journal, action: str):
        """A dashboard button (a form POST with its CSRF token), answered with a redirect to its page."""
        from mockmkto.admin import dashboard

        return dashboard.act(request, action, instance, journal, self)


def camel_json(value):
    """Domain views (dataclasses) as JSON with the admin API's camelCase keys."""
    if is_dataclass(value):
        value = asdict(value)
    if isinstance(value, dict):
        return {_camel(key): camel_json(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [camel_json(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return value


def _camel(key: str) -> str:
    head, *rest = key.split("_")
    return head + "".join(part.title() for part in rest)


def _json_document(request: Request):
    try:
        return json.loads(request.get_data(as_text=True) or "{}")
    except ValueError as exc:
        raise BadRequest(f"body is not JSON: {exc}") from None


def _json_body(request: Request):
    """The request's JSON, every text in it one a Marketo value can hold."""
    body = _json_document(request)
    _refuse_not_xml(body, "body")
    return body


def _refuse_not_xml(texts: object, name: str) -> None:
    """A 400 for a request's text no Marketo value can hold: PostgreSQL refuses NUL, and stored
    anywhere it would break each SOAP answer that carries it."""
    problem = not_xml(texts, name)
    if problem:
        raise BadRequest(f"{problem[0]} {NOT_XML_PROBLEM.format(problem[1])}")


def _is_dashboard(path: str) -> bool:
    """The dashboard's pages and forms: /_admin/ itself and everything under /_admin/ui/."""
    return path == "" or path.startswith("ui/")


def _bool_arg(request: Request, name: str) -> bool:
    """A true/false query parameter (absent: false); anything else is a 400."""
    value = request.args.get(name, "false").lower()
    if value not in ("true", "false"):
        raise BadRequest(f"{name} must be true or false")
    return value == "true"


def _int_arg(request: Request, name: str) -> int | None:
    value = request.args.get(name)
    if value is None:
        return None
    try:
        return integer(value, 0)
    except ValueError:
        raise BadRequest(f"{name} must be a whole number from 0 to {INT_MAX}") from None


def _datetime(value, name: str) -> datetime:
    if not isinstance(value, str):
        raise BadRequest(f"{name} must be an ISO 8601 date-time")
    try:
        return parse_timestamp(value)
    except ValueError:
        raise BadRequest(f"{name} must be an ISO 8601 date-time, not {value!r}") from None
