"""The User-Agent header of cdnkit's aiobotocore clients: botocore's own string, built once per
set of feature ids instead of twice per request.

Why this exists: botocore assembles the header from about twenty components for every request,
twice (when the request is made, and again just before it is signed, to include the features
registered on the way), sanitizing every character of every component in Python. That costs
more per request than anything else the client side does except signing (about 2 x 100 us on
a slow machine; a tenth of a KeyValueStore GetKey). The string only changes with the feature ids
of the request (botocore's ``register_feature_id``: a waiter, a paginator, the retry mode...):
everything else in it (SDK and platform versions, the client's config, the session's name and
extras) is fixed when the client is made. So it is built by botocore's own code the first time a
set of features is seen, and the same string is sent again for the same set.

A hard choice to undo, written down: this relies on botocore building the header in
``UserAgentString.to_string`` and on the client keeping its own copy in ``_user_agent_creator``
(checked when a client opens: a client that has something else keeps it untouched). A botocore
that builds the header elsewhere only makes the cache unused, never a different header;
tests/api/test_user_agent.py compares the headers with botocore's for the same requests.
"""

from __future__ import annotations

from botocore.context import get_context
from botocore.useragent import UserAgentString

__all__ = ["install"]

#: Sets of features remembered per client; more than a program could use (a set per kind of
#: call), so a client never grows without bound whatever is registered.
_MOST = 64


class _RememberedUserAgent(UserAgentString):
    """botocore's ``UserAgentString`` whose string is remembered per set of feature ids."""

    _cdnkit_strings: dict[frozenset[str], str]

    def to_string(self) -> str:
        context = get_context()
        features = frozenset(self.__dict__.get("_client_features") or ())
        if context is not None and context.features:
            features = features.union(context.features)
        strings = self._cdnkit_strings
        text = strings.get(features)
        if text is None:
            text = super().to_string()
            if len(strings) < _MOST:
                strings[features] = text
        return text

    def __copy__(self) -> UserAgentString:
        # A copy (botocore's ``with_client_config`` makes one per client) is botocore's own
        # class again: the strings remembered here belong to this object's config.
        copied = UserAgentString.__new__(UserAgentString)
        copied.__dict__.update(self.__dict__)
        del copied.__dict__["_cdnkit_strings"]
        return copied


def install(client: object) -> bool:
    """Make an aiobotocore client remember its User-Agent strings (see the module's text), if it
    has botocore's own ``UserAgentString``. True when installed."""
    creator = getattr(client, "_user_agent_creator", None)
    if type(creator) is not UserAgentString:
        return False
    creator.__dict__["_cdnkit_strings"] = {}
    creator.__class__ = _RememberedUserAgent
    return True
