"""What links a request model to its operation and its result type (hand-written).

Every generated request class (an operation's input shape) derives from its service's base
parametrized with the operation's output model, for example
``class GetDistributionsRequest(_Model, _LightsailRequest["GetDistributionsResult"])``, and
names its operation in ``__cdnkit_operation__``. That lets ``kit.call(request)`` return the
right result type to mypy and pyright with one plain signature,
``call(request: LightsailRequest[R]) -> R``, instead of one overload per operation (hundreds of
overloads slow type checkers and IDEs down, and a base class is also what a user's own helper can
take). A per-service base keeps a CloudFront request out of ``Lightsail.call`` at type-check time.

The bases are plain ``Generic`` classes without state: pydantic ignores them, and importing this
module costs nothing more than ``typing``.
"""

from __future__ import annotations

from typing import ClassVar, Generic, TypeVar

__all__ = [
    "CloudFrontRequest",
    "KeyValueStoreRequest",
    "LightsailRequest",
    "OperationRequest",
    "ResultT",
]

#: The output model of an operation (None for operations without output). Covariant: a request
#: produces its result, it never takes one.
ResultT = TypeVar("ResultT", covariant=True)


class OperationRequest(Generic[ResultT]):
    """Base of every operation's request model; ``ResultT`` is the operation's result."""

    __slots__ = ()

    #: botocore's name of the operation this request is the input of.
    __cdnkit_operation__: ClassVar[str]
    #: The name of the operation's output model in the same module; None without output.
    __cdnkit_result__: ClassVar[str | None]


class LightsailRequest(OperationRequest[ResultT]):
    """A request of an Amazon Lightsail operation."""

    __slots__ = ()


class CloudFrontRequest(OperationRequest[ResultT]):
    """A request of an Amazon CloudFront (control plane) operation."""

    __slots__ = ()


class KeyValueStoreRequest(OperationRequest[ResultT]):
    """A request of a CloudFront KeyValueStore data plane operation."""

    __slots__ = ()
