"""cdnkit's clients send botocore's own User-Agent header, built once per set of feature ids
(cdnkit/_user_agent.py): every header must be the one botocore builds for the same request."""

from __future__ import annotations

import copy
from typing import Any

from botocore.config import Config
from botocore.context import start_as_current_context
from botocore.useragent import UserAgentString, register_feature_id

import cdnkit
from cdnkit import _user_agent
from cdnkit._core import ServiceCore
from cdnkit.testing import Emulator


class Headers:
    """The User-Agent each request of a client carried, beside the one botocore's own
    ``to_string`` builds at that moment (in that request's context)."""

    def __init__(self, core: ServiceCore) -> None:
        self.creator: Any = getattr(core.client, "_user_agent_creator")  # noqa: B009
        self.seen: list[tuple[str, str]] = []
        core.client.meta.events.register("before-send", self.record)

    def record(self, request: Any, **_: Any) -> None:
        sent = request.headers["User-Agent"]
        self.seen.append((sent.decode() if isinstance(sent, bytes) else sent, self.botocores()))

    def botocores(self) -> str:
        return UserAgentString.to_string(self.creator)


async def test_every_request_carries_botocores_own_header(emulator: Emulator) -> None:
    kwargs = emulator.client_kwargs()
    async with cdnkit.Lightsail(**kwargs) as kit, cdnkit.CloudFront(**kwargs) as cf:
        store = await cf.key_value_stores.create("ua-store", wait=True)
        keys = cf.key_value_stores.keys(store.key_value_store.arn)
        await keys.put("k", "v")  # opens the data plane's client
        watched = [Headers(kit._core), Headers(cf._core), Headers(cf._data_plane)]
        assert await kit.distributions.bundles()
        assert [d async for d in kit.distributions.list()] == []
        assert [d async for d in cf.distributions.list()] == []
        assert [d async for d in cf.api.paginate_list_distributions(max_items="10")] == []
        assert await keys.get("k") == "v"
        await keys.put("k2", "v2")
        assert [item.key async for item in keys.list()] == ["k", "k2"]
        with start_as_current_context():
            # A feature registered for a request (botocore's waiters and paginators do) is in
            # that request's header, and only in it.
            register_feature_id("WAITER")
            assert await keys.get("k") == "v"
        assert await keys.get("k2") == "v2"
    for headers in watched:
        # The guard: the remembered strings are what the client really uses.
        assert type(headers.creator) is _user_agent._RememberedUserAgent
        assert headers.seen
        for sent, botocores in headers.seen:
            assert sent == botocores
    data_plane = [sent for sent, _ in watched[2].seen]
    with_waiter = data_plane[-2]
    assert " m/" in with_waiter
    assert with_waiter != data_plane[-1] == data_plane[-3]
    assert len(set(data_plane)) == 2
    # Remembered per set of features: botocore builds the header twice per request, before
    # and after the features registered on the way (the first string is replaced).
    assert 2 <= len(watched[2].creator._cdnkit_strings) <= 4


def test_a_copy_is_botocores_own_class_with_its_own_config() -> None:
    creator = UserAgentString.from_environment().with_client_config(Config())
    plain = creator.to_string()
    assert _user_agent.install(type("Client", (), {"_user_agent_creator": creator})())
    assert type(creator) is _user_agent._RememberedUserAgent
    assert creator.to_string() == plain == creator.to_string()
    other = creator.with_client_config(Config(user_agent_extra="extra/1"))
    assert type(other) is UserAgentString
    assert not hasattr(other, "_cdnkit_strings")
    assert other.to_string().endswith("extra/1")
    assert creator.to_string() == plain  # the copy's string is not remembered as this one's
    assert type(copy.copy(creator)) is UserAgentString


def test_a_client_without_botocores_creator_is_left_alone() -> None:
    class Own(UserAgentString):
        pass

    own = Own.from_environment()
    for client in (object(), type("Client", (), {"_user_agent_creator": own})()):
        assert not _user_agent.install(client)
    assert type(own) is Own
