"""TestFunction's runtime: runs a CloudFront function's code on the test event.

The engine is QuickJS (the ``quickjs-ng`` distribution, import name ``quickjs``), installed by the
optional extra ``cdnkit[functions]``; docs/emulator-functions.md says why it was chosen. Without it,
TestFunction answers as it did before the runtime existed: the event's request or response,
unchanged, with an execution log line saying that no engine is installed (and one warning on the
``cdnkit.testing`` logger per process).

What runs, for the ``cloudfront-js-1.0`` and ``cloudfront-js-2.0`` runtimes:

- The code is evaluated as a script, then ``handler(event)`` is called with the parsed test event.
  A returned promise (``async function handler``) is awaited by running the engine's job queue.
- ``console.log`` (and ``info``/``warn``/``error``/``debug``) lines become FunctionExecutionLogs:
  arguments joined by a space, strings as they are, objects as JSON, the rest through ``String``.
- FunctionOutput is the event-shaped object with what the handler returned, as compact JSON:
  ``{"response": ...}`` for a viewer-response function or for a returned object with a
  ``statusCode``, ``{"request": ...}`` otherwise (the shape TestFunction answers with).
- cloudfront-js-2.0: ``import cf from 'cloudfront'`` (any name, either quote) gives the module
  object; ``cf.kvs()`` (or ``cf.kvs(id)``, the associated store's id or ARN) returns a handle whose
  ``get(key, {format})`` (``string``, the default; ``json``; ``bytes``, a ``Uint8Array`` of the
  UTF-8 bytes), ``exists(key)`` and ``meta()`` (``creationDateTime``, ``lastUpdatedDateTime``,
  ``keyCount``) return promises over the store's keys in the shared state, copied in when the run
  starts (the engine cannot call back into Python while a time limit is set; the run holds the
  event loop, so nothing changes the store meanwhile). ``get`` of a missing key rejects, as the
  service documents. The origin helpers (``cf.updateRequestOrigin``,
  ``cf.selectRequestOriginById``, ``cf.createRequestOriginGroup``) throw "not emulated".
- cloudfront-js-1.0: an ``import`` statement is reported as a SyntaxError (the ``cloudfront``
  module belongs to 2.0).
- Any other ``import`` is reported as a module the emulator does not provide (``crypto``,
  ``querystring``...).

Errors. A thrown error, a rejected promise, a syntax error, a missing ``handler``, a handler that
returns no object, and a broken limit all answer 200 with FunctionErrorMessage set (and no
FunctionOutput): the API reference says FunctionErrorMessage holds the error "if the result of
testing the function was an error". The message starts with the sentence the CloudFront console
was seen to show for a failing test ("The CloudFront function associated with the CloudFront
distribution is invalid or could not run."), then the JavaScript error (``TypeError: ...``). The
modeled TestFunctionFailed (500) stays what ``fail_function_tests`` injects: the service failing
to run the test at all.

Limits (the emulator's, not CloudFront's exact ones):

- Time: the engine interrupts the run after :attr:`RuntimeSettings.time_limit` seconds of CPU
  time (100 ms by default, about 100 times CloudFront's budget, so that a slow or busy machine
  does not fail a function CloudFront would run); pending promise jobs share that budget. The
  engine reads the process's CPU clock, so other busy threads of the process shorten it.
- Memory: the function may allocate :attr:`RuntimeSettings.memory_limit` bytes (2 MiB, CloudFront's
  documented function memory quota) on top of what the fresh engine and this module's prelude use.
  QuickJS does not count memory as CloudFront's engine does, so this is an approximation.
- ComputeUtilization is the handler's measured CPU time (call and promise jobs, not compilation)
  as a percentage of CloudFront's ~1 ms budget, rounded, between 1 and 100: an approximation,
  since the machine and the engine differ from CloudFront's.

The run is synchronous, on the caller's thread: the backends answer synchronously, and the time
limit bounds how long the emulator's event loop can be held (an endless loop: about 0.1 s).
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import re
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from types import ModuleType
from typing import TYPE_CHECKING, Any, Final

from cdnkit.testing._backend import KeyValueStoreData

if TYPE_CHECKING:
    import quickjs

logger = logging.getLogger("cdnkit.testing")

RUNTIME_1_0: Final = "cloudfront-js-1.0"
RUNTIME_2_0: Final = "cloudfront-js-2.0"
#: What FunctionErrorMessage starts with when the function fails.
ERROR_PREFIX: Final = (
    "The CloudFront function associated with the CloudFront distribution is invalid "
    "or could not run."
)
#: The FunctionExecutionLogs line of a TestFunction answered without an engine.
NO_ENGINE_LOG: Final = (
    "cdnkit emulator: the JavaScript engine is not installed, so the function did not run: the "
    "output is the event's request or response, unchanged (pip install 'cdnkit[functions]')."
)
#: The largest figure ComputeUtilization reports.
MAX_UTILIZATION: Final = 100
#: Ceiling for reading the outcome back once the run is over (the run's own limit may be spent).
_REPORT_MEMORY_BYTES: Final = 64 * 1024 * 1024


@dataclasses.dataclass
class RuntimeSettings:
    """Process-wide runtime settings; tests may change them (and should restore them)."""

    #: The engine's import name; a name that cannot be imported means "no engine installed".
    engine_module: str = "quickjs"
    #: CPU seconds a run may take before the engine interrupts it.
    time_limit: float = 0.1
    #: Bytes the function may allocate on top of the engine's own start-up use.
    memory_limit: int = 2 * 1024 * 1024
    #: CloudFront's compute budget per invocation, the 100 of ComputeUtilization.
    compute_budget: float = 0.001


SETTINGS: Final = RuntimeSettings()

#: Engine modules whose absence was already logged.
_warned_missing: set[str] = set()


@dataclasses.dataclass(frozen=True)
class FunctionRun:
    """What TestFunction reports about one run."""

    output: str | None
    error: str | None
    logs: list[str]
    compute_utilization: int


def engine_available() -> bool:
    return _load_engine() is not None


def run_function(
    code: bytes,
    runtime: str,
    event_object: bytes,
    stores: Sequence[KeyValueStoreData],
) -> FunctionRun:
    """Run ``code`` on the test event; ``stores`` are the function's associated KeyValueStores."""
    parsed = parse_event(event_object)
    if isinstance(parsed, str):
        return FunctionRun(None, parsed, [], _size_utilization(code))
    engine = _load_engine()
    if engine is None:
        return FunctionRun(echo(parsed), None, [NO_ENGINE_LOG], _size_utilization(code))
    try:
        source = code.decode("utf-8")
    except UnicodeDecodeError:
        return FunctionRun(None, _failure("SyntaxError: the code is not valid UTF-8"), [], 1)
    prepared = _prepare_source(source, runtime)
    if isinstance(prepared, _Refusal):
        return FunctionRun(None, _failure(prepared.message), [], 1)
    return _Run(engine, prepared, parsed, stores).execute()


# The event -----------------------------------------------------------------------------------


def parse_event(event_object: bytes) -> dict[str, Any] | str:
    """The test event as a dict, or the FunctionErrorMessage that refuses it."""
    try:
        event = json.loads(event_object.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as error:
        return f"The event object is not valid JSON: {error}"
    if not isinstance(event, dict):
        return "The event object must be a JSON object."
    if not any(isinstance(event.get(part), dict) for part in ("request", "response")):
        return "The event object has neither a request nor a response."
    return event


def event_type(event: Mapping[str, Any]) -> str:
    context = event.get("context")
    declared = context.get("eventType") if isinstance(context, dict) else None
    if declared in ("viewer-request", "viewer-response"):
        return str(declared)
    return "viewer-response" if isinstance(event.get("response"), dict) else "viewer-request"


def echo(event: Mapping[str, Any]) -> str:
    """What an identity function returns: the event's response or request, unchanged."""
    part = "response" if event_type(event) == "viewer-response" else "request"
    if not isinstance(event.get(part), dict):
        part = "request" if part == "response" else "response"
    return _compact({part: event[part]})


def _compact(value: object) -> str:
    return json.dumps(value, separators=(",", ":"), ensure_ascii=False)


def _size_utilization(code: bytes) -> int:
    """The figure reported when nothing ran: bigger code costs more (deterministic)."""
    return min(MAX_UTILIZATION, 5 + len(code) * 60 // (10 * 1024))


def _failure(detail: str) -> str:
    return f"{ERROR_PREFIX} {detail}"


# The engine ----------------------------------------------------------------------------------


def _load_engine() -> ModuleType | None:
    name = SETTINGS.engine_module
    try:
        return importlib.import_module(name)
    except ImportError:
        if name not in _warned_missing:
            _warned_missing.add(name)
            logger.warning(
                "CloudFront TestFunction: the JavaScript engine (%s) is not installed; functions "
                "do not run and the test event is echoed. Install cdnkit[functions].",
                name,
            )
        return None


# The source ----------------------------------------------------------------------------------

#: An ES module import of a default export, at the start of a line.
_IMPORT: Final = re.compile(
    r"^(?P<indent>[ \t]*)import[ \t]+(?P<name>[A-Za-z_$][\w$]*)[ \t]+from[ \t]*"
    r"(?P<quote>['\"])(?P<module>[^'\"\n]*)(?P=quote)[ \t]*;?",
    re.MULTILINE,
)
#: Any import statement at the start of a line (default, namespace, named or bare), but not
#: import() or import.meta.
_OTHER_IMPORT: Final = re.compile(r"^[ \t]*import\b(?![ \t]*[.(])", re.MULTILINE)
#: The module object's name inside the engine.
_MODULE_GLOBAL: Final = "__cdnkit_cloudfront"


@dataclasses.dataclass(frozen=True)
class _Refusal:
    message: str


def _line_of(source: str, offset: int) -> int:
    return source.count("\n", 0, offset) + 1


def _prepare_source(source: str, runtime: str) -> str | _Refusal:
    """Replace ``import cf from 'cloudfront'`` by a variable, on the same line (line numbers hold).

    The engine evaluates the code as a script, so that ``handler`` is reachable by name.
    """
    first = _OTHER_IMPORT.search(source)
    if first is None:
        return source
    line = _line_of(source, first.start())
    if runtime != RUNTIME_2_0:
        return _Refusal(
            f"SyntaxError: import statements are not supported by {runtime} (line {line}); "
            f"the cloudfront module needs {RUNTIME_2_0}"
        )
    pieces: list[str] = []
    position = 0
    for match in _IMPORT.finditer(source):
        module = match.group("module")
        if module != "cloudfront":
            return _Refusal(
                f"Error: the cdnkit emulator does not provide the module '{module}' "
                f"(line {_line_of(source, match.start())})"
            )
        pieces.append(source[position : match.start()])
        pieces.append(f"{match.group('indent')}var {match.group('name')} = {_MODULE_GLOBAL};")
        position = match.end()
    pieces.append(source[position:])
    rewritten = "".join(pieces)
    leftover = _OTHER_IMPORT.search(rewritten)
    if leftover is not None:
        return _Refusal(
            "SyntaxError: unsupported import statement "
            f"(line {_line_of(rewritten, leftover.start())}); "
            "use import cf from 'cloudfront'"
        )
    return rewritten


# The run -------------------------------------------------------------------------------------

#: Set up before the function's code: console, the cloudfront module, the handler's runner and
#: the report read back by Python. __cdnkit_stores_json holds the associated stores, their keys
#: and metadata, as they are when the run starts (the engine cannot call into Python while a time
#: limit is set, so the stores are copied in).
_PRELUDE: Final = r"""
(function (global) {
  "use strict";
  var stores = JSON.parse(global.__cdnkit_stores_json);
  delete global.__cdnkit_stores_json;
  var hasOwn = Object.prototype.hasOwnProperty;
  function kvsGet(store, key) {
    return hasOwn.call(store.items, key) ? store.items[key] : null;
  }

  var logs = [];
  function show(value) {
    if (typeof value === "string") return value;
    if (value !== null && typeof value === "object") {
      try {
        var text = JSON.stringify(value);
        if (text !== undefined) return text;
      } catch (ignored) {}
    }
    return String(value);
  }
  function log() {
    var parts = [];
    for (var i = 0; i < arguments.length; i++) parts.push(show(arguments[i]));
    logs.push(parts.join(" "));
  }
  global.console = { log: log, info: log, warn: log, error: log, debug: log };

  function utf8Bytes(text) {
    var binary = unescape(encodeURIComponent(text));
    var bytes = new Uint8Array(binary.length);
    for (var i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
    return bytes;
  }
  function handleFor(store) {
    return {
      get: function (key, options) {
        return new Promise(function (resolve, reject) {
          var format = options && options.format !== undefined ? options.format : "string";
          var value = kvsGet(store, String(key));
          if (value === null) {
            reject(new Error("The key " + key + " does not exist in the KeyValueStore"));
          } else if (format === "string") {
            resolve(value);
          } else if (format === "json") {
            resolve(JSON.parse(value));
          } else if (format === "bytes") {
            resolve(utf8Bytes(value));
          } else {
            reject(new TypeError("Unknown format " + format + ": use string, json or bytes"));
          }
        });
      },
      exists: function (key) {
        return new Promise(function (resolve) {
          resolve(kvsGet(store, String(key)) !== null);
        });
      },
      meta: function () {
        return new Promise(function (resolve) {
          resolve({
            creationDateTime: store.meta.creationDateTime,
            lastUpdatedDateTime: store.meta.lastUpdatedDateTime,
            keyCount: store.meta.keyCount
          });
        });
      }
    };
  }
  function notEmulated(name) {
    return function () {
      throw new Error("cf." + name + " is not emulated by the cdnkit emulator");
    };
  }
  global.__cdnkit_cloudfront = {
    kvs: function (storeId) {
      if (storeId === undefined) {
        if (stores.length === 0) {
          throw new Error("No KeyValueStore is associated with this function");
        }
        return handleFor(stores[0]);
      }
      for (var i = 0; i < stores.length; i++) {
        if (stores[i].id === storeId || stores[i].arn === storeId) return handleFor(stores[i]);
      }
      throw new Error("The KeyValueStore " + storeId + " is not associated with this function");
    },
    updateRequestOrigin: notEmulated("updateRequestOrigin"),
    selectRequestOriginById: notEmulated("selectRequestOriginById"),
    createRequestOriginGroup: notEmulated("createRequestOriginGroup")
  };

  var outcome = { settled: false, failed: false, value: undefined, error: undefined };
  function succeed(value) {
    outcome.settled = true;
    outcome.value = value;
  }
  function fail(error) {
    outcome.settled = true;
    outcome.failed = true;
    outcome.error = error;
  }
  global.__cdnkit_start = function (handler, eventJson) {
    if (typeof handler !== "function") {
      fail(new ReferenceError("handler is not defined: define function handler(event)"));
      return;
    }
    var result;
    try {
      result = handler(JSON.parse(eventJson));
    } catch (error) {
      fail(error);
      return;
    }
    if (result !== null && typeof result === "object" && typeof result.then === "function") {
      result.then(succeed, fail);
    } else {
      succeed(result);
    }
  };
  function describe(error) {
    if (error instanceof Error) return String(error.name) + ": " + String(error.message);
    return "Uncaught " + show(error);
  }
  global.__cdnkit_report = function () {
    var report = { settled: outcome.settled, logs: logs };
    if (outcome.failed) {
      report.error = describe(outcome.error);
    } else if (outcome.settled) {
      var value = outcome.value;
      report.kind = value === null ? "null" : Array.isArray(value) ? "array" : typeof value;
      try {
        report.output = outcome.value === undefined ? null : JSON.stringify(outcome.value);
      } catch (error) {
        report.error = describe(error);
      }
    }
    return JSON.stringify(report);
  };
})(globalThis);
"""

_LOCATION: Final = re.compile(r"<input>:(\d+):(\d+)")
TIME_LIMIT_ERROR: Final = "Error: the function exceeded the maximum allowed execution time"
MEMORY_LIMIT_ERROR: Final = "Error: the function exceeded the maximum allowed memory"


class _TimeLimitExceeded(Exception):
    pass


class _Run:
    def __init__(
        self,
        engine: ModuleType,
        source: str,
        event: dict[str, Any],
        stores: Sequence[KeyValueStoreData],
    ) -> None:
        self._engine = engine
        self._source = source
        self._event = event
        self._stores = list(stores)
        self._cpu_seconds = 0.0
        self._limit_broken = False

    def _stores_json(self) -> str:
        return _compact(
            [
                {
                    "id": store.id,
                    "arn": store.arn,
                    "items": store.items,
                    "meta": {
                        "creationDateTime": _iso(store.created),
                        "lastUpdatedDateTime": _iso(store.last_modified),
                        "keyCount": len(store.items),
                    },
                }
                for store in self._stores
            ]
        )

    def execute(self) -> FunctionRun:
        context: quickjs.Context = self._engine.Context()
        js_error: type[quickjs.JSException] = self._engine.JSException
        context.set("__cdnkit_stores_json", self._stores_json())
        context.eval(_PRELUDE)
        memory_limit = context.memory()["malloc_size"] + SETTINGS.memory_limit
        context.set_memory_limit(memory_limit)
        context.set_time_limit(SETTINGS.time_limit)

        failure: str | None = None
        try:
            context.eval(self._source)
        except js_error as error:
            failure = self._engine_error(error, compiling=True)
        if failure is None:
            try:
                self._call_handler(context)
            except _TimeLimitExceeded:
                failure = self._broken(TIME_LIMIT_ERROR)
            except js_error as error:
                failure = self._engine_error(error, compiling=False)
        if failure is None and context.memory()["malloc_size"] >= memory_limit * 0.95:
            # An exhausted heap in a promise job ends the job queue without an error.
            failure = self._broken(MEMORY_LIMIT_ERROR)

        report = self._report(context, js_error)
        logs = [str(line) for line in report.get("logs") or []]
        if failure is None:
            failure = self._failure_in(report)
        utilization = MAX_UTILIZATION if self._limit_broken else self._utilization()
        if failure is not None:
            return FunctionRun(None, _failure(failure), logs, utilization)
        return FunctionRun(self._output(json.loads(report["output"])), None, logs, utilization)

    def _call_handler(self, context: quickjs.Context) -> None:
        context.set("__cdnkit_event_json", _compact(self._event))
        start = time.thread_time()
        try:
            context.eval(
                "__cdnkit_start(typeof handler === 'undefined' ? undefined : handler, "
                "__cdnkit_event_json)"
            )
            # Promise jobs (an async handler, kvs reads): each job has the engine's time limit,
            # and together they share it.
            while context.execute_pending_job():
                if time.thread_time() - start > SETTINGS.time_limit:
                    raise _TimeLimitExceeded
        finally:
            self._cpu_seconds = time.thread_time() - start

    def _broken(self, message: str) -> str:
        self._limit_broken = True
        return message

    def _engine_error(self, error: Exception, *, compiling: bool) -> str:
        """The FunctionErrorMessage detail for an error the engine raised into Python."""
        text = str(error)
        first_line, newline, rest = text.partition("\n")
        if first_line.startswith("InternalError: interrupted"):
            return self._broken(TIME_LIMIT_ERROR)
        if "out of memory" in first_line or text == "null":
            # An exhausted heap cannot even build the error: the engine reports a bare null.
            return self._broken(MEMORY_LIMIT_ERROR)
        if isinstance(error, self._engine.StackOverflow):
            return "RangeError: Maximum call stack size exceeded"
        if newline and rest.strip() in ("", "undefined"):
            # A thrown value that is not an Error (no stack): throw "text", throw null...
            return f"Uncaught {first_line}"
        location = _LOCATION.search(rest) if compiling else None
        if location is not None:
            first_line += f" (line {location.group(1)}, column {location.group(2)})"
        return first_line

    def _report(self, context: quickjs.Context, js_error: type[Exception]) -> dict[str, Any]:
        # The run's limits may be spent: reading the outcome back gets limits of its own.
        context.set_memory_limit(_REPORT_MEMORY_BYTES)
        context.set_time_limit(max(SETTINGS.time_limit, 1.0))
        try:
            report: dict[str, Any] = json.loads(context.eval("__cdnkit_report()"))
        except js_error:
            return {}
        return report

    def _failure_in(self, report: Mapping[str, Any]) -> str | None:
        if not report:
            return "Error: the function's outcome could not be read back from the engine"
        if "error" in report:
            error = str(report["error"])
            if "out of memory" in error:
                return self._broken(MEMORY_LIMIT_ERROR)
            return error
        if not report.get("settled"):
            return "Error: the handler's promise never settled"
        if report.get("kind") != "object":
            return (
                f"TypeError: the handler returned {report.get('kind')}; it must return the "
                "request or a response object"
            )
        return None

    def _output(self, value: dict[str, Any]) -> str:
        if event_type(self._event) == "viewer-response" or "statusCode" in value:
            return _compact({"response": value})
        return _compact({"request": value})

    def _utilization(self) -> int:
        percent = round(self._cpu_seconds / SETTINGS.compute_budget * 100)
        return max(1, min(MAX_UTILIZATION, percent))


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")
