"""REST route table compiled from each operation's ``http.requestUri``.

A template is a path (static segments, ``{Label}`` segments, a final greedy ``{Label+}``) and an
optional static query part (``?WithTags``, ``?Operation=Tag``). Routes are grouped by method and
segment count and tried most specific first: static segments before labels, left to right, and
routes demanding a query key before those that do not, so ``POST /distribution?WithTags``
beats ``POST /distribution``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from urllib.parse import unquote

from ._model import OperationPlan


@dataclass(frozen=True, slots=True)
class Route:
    plan: OperationPlan
    #: Static text, or None for a label.
    segments: tuple[str | None, ...]
    #: (segment index, label name) for each non-greedy label.
    labels: tuple[tuple[int, str], ...]
    greedy: str | None
    #: (key, value) the query string must carry; value None means "key present".
    query: tuple[tuple[str, str | None], ...]

    def specificity(self) -> tuple[int, tuple[int, ...]]:
        return (-len(self.query), tuple(0 if s is not None else 1 for s in self.segments))


def compile_route(plan: OperationPlan) -> Route:
    path, _, query_text = plan.request_uri.partition("?")
    segments: list[str | None] = []
    labels: list[tuple[int, str]] = []
    greedy: str | None = None
    parts = [part for part in path.split("/") if part]
    for index, part in enumerate(parts):
        if part.startswith("{") and part.endswith("}"):
            name = part[1:-1]
            if name.endswith("+"):
                if index != len(parts) - 1:
                    raise ValueError(f"greedy label not last in {plan.request_uri}")
                greedy = name[:-1]
                continue
            segments.append(None)
            labels.append((index, name))
        else:
            segments.append(part)
    query: list[tuple[str, str | None]] = []
    for pair in filter(None, query_text.split("&")):
        key, equals, value = pair.partition("=")
        query.append((key, value if equals else None))
    return Route(plan, tuple(segments), tuple(labels), greedy, tuple(query))


@dataclass(frozen=True, slots=True)
class RouteMatch:
    plan: OperationPlan
    labels: dict[str, str]


class RouteTable:
    """Finds the operation for a method, a raw path and the decoded query keys."""

    def __init__(self, plans: Iterable[OperationPlan]) -> None:
        exact: dict[tuple[str, int], list[Route]] = {}
        greedy: dict[str, list[Route]] = {}
        self.prefixes: set[str] = set()
        for plan in plans:
            route = compile_route(plan)
            if route.segments and route.segments[0] is not None:
                self.prefixes.add(route.segments[0])
            if route.greedy is None:
                exact.setdefault((plan.method, len(route.segments)), []).append(route)
            else:
                greedy.setdefault(plan.method, []).append(route)
        for routes in (*exact.values(), *greedy.values()):
            routes.sort(key=Route.specificity)
        self._exact = exact
        self._greedy = greedy
        self._paths = {len(r.segments) for rs in exact.values() for r in rs}

    def match(
        self, method: str, segments: list[str], query: Mapping[str, str]
    ) -> RouteMatch | None:
        for route in self._exact.get((method, len(segments)), ()):
            if _fits(route, segments, query):
                return RouteMatch(route.plan, _labels(route, segments))
        for route in self._greedy.get(method, ()):
            fixed = len(route.segments)
            if len(segments) > fixed and _fits(route, segments[:fixed], query):
                labels = _labels(route, segments)
                assert route.greedy is not None
                labels[route.greedy] = "/".join(unquote(s) for s in segments[fixed:])
                return RouteMatch(route.plan, labels)
        return None

    def path_exists(self, segments: list[str]) -> bool:
        """Whether some method serves this path (to tell 405 from 404)."""
        for (_, count), routes in self._exact.items():
            if count == len(segments) and any(_fits(r, segments, None) for r in routes):
                return True
        return False


def _fits(route: Route, segments: list[str], query: Mapping[str, str] | None) -> bool:
    for expected, actual in zip(route.segments, segments, strict=True):
        if expected is not None and expected != actual:
            return False
        if expected is None and not actual:
            return False
    if query is None:
        return True
    for key, value in route.query:
        present = query.get(key)
        if present is None or (value is not None and present != value):
            return False
    return True


def _labels(route: Route, segments: list[str]) -> dict[str, str]:
    return {name: unquote(segments[index]) for index, name in route.labels}


def split_path(raw_path: str) -> list[str]:
    """The raw (still percent-encoded) segments of a path; a trailing slash is kept as ''."""
    return raw_path.split("/")[1:] if raw_path.startswith("/") else raw_path.split("/")
