"""The emulator driven by the AWS CLI v1 (opt-in: needs the CLI in its own virtual environment).

The AWS CLI is what outside testers point at ``python -m cdnkit emulator``. It carries its own
botocore (older than cdnkit's, so the models differ a little) and adds customizations of its
own: ``create-invalidation --paths``, ``create-distribution --origin-domain-name``,
``update-distribution --default-root-object`` (which reads the config and sends its ETag),
``--max-items``/``--starting-token`` pagination, ``aws cloudfront wait``, JSON output and its
own error messages and exit codes. Each test runs one realistic session of one service, one
``aws`` process per command, against an emulator started here, and parses the JSON it prints.
Each difference from AWS it found has a CLI-free regression test in ``test_cli_wire.py``.

Install once (the default test run installs nothing), from the repository root::

    python3 -m venv tests/emulator/interop_cli/.venv && tests/emulator/interop_cli/.venv/bin/pip \
        install -r tests/emulator/interop_cli/requirements.txt

or point ``CDNKIT_AWS_CLI`` at another ``aws`` executable (its Python needs ``awscrt`` for the
KeyValueStore data plane's SigV4A signatures).
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import os
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any, Self

import pytest

from cdnkit.testing import Emulator, Timing

HERE = Path(__file__).parent / "interop_cli"
INSTALL = (
    "python3 -m venv tests/emulator/interop_cli/.venv && tests/emulator/interop_cli/.venv/bin/pip"
    " install -r tests/emulator/interop_cli/requirements.txt"
)
#: Real seconds one ``aws`` command may take (it starts in about one second).
COMMAND_SECONDS = 60.0
#: The exit codes of a failed service call: 255 for the AWS CLI v1, 254 for v2.
FAILED = (254, 255)
#: Emulated seconds each piece of asynchronous work takes, and a clock step that finishes it.
WORK = 600.0
DONE = 2 * WORK


def _executable() -> Path:
    configured = os.environ.get("CDNKIT_AWS_CLI")
    return Path(configured) if configured else HERE / ".venv" / "bin" / "aws"


def _python_of(executable: Path) -> str | None:
    """The interpreter of a Python ``aws`` script (its ``#!`` line), else None."""
    with executable.open("rb") as file:
        first = file.readline(4096)
    if not first.startswith(b"#!") or b"python" not in first:
        return None
    command = first[2:].decode(errors="replace").split()
    # A "#!/usr/bin/env python3" line names the interpreter second.
    return command[-1] if Path(command[0]).name == "env" else command[0]


def _missing() -> str | None:
    if os.environ.get("CDNKIT_AWS_CLI"):
        if not _executable().is_file():
            return "CDNKIT_AWS_CLI names no file (set it to an aws executable)"
        return None
    if not _executable().is_file():
        return (
            "the AWS CLI is not installed in tests/emulator/interop_cli/.venv: run "
            f"`{INSTALL}` (or set CDNKIT_AWS_CLI to an aws executable)"
        )
    return None


pytestmark = pytest.mark.skipif(_missing() is not None, reason=_missing() or "")


@dataclasses.dataclass(frozen=True)
class Run:
    """One finished ``aws`` command."""

    argv: tuple[str, ...]
    returncode: int
    stdout: str
    stderr: str

    def describe(self) -> str:
        return (
            f"aws {' '.join(self.argv)}\nexit {self.returncode}\nstdout: {self.stdout}\n"
            f"stderr: {self.stderr}"
        )


class Aws:
    """Runs ``aws`` commands against one emulator, with JSON output and no user configuration.

    A Python ``aws`` script (the CLI v1) runs through ``interop_cli/forkserver.py``: one fresh
    forked process per command, without paying the CLI's imports each time. Any other
    executable (the CLI v2) is started once per command.
    """

    def __init__(self, emu: Emulator, home: Path, *, proxy: bool = False) -> None:
        self.endpoint = emu.client_endpoint_url
        home.mkdir(parents=True, exist_ok=True)
        self.home = home
        env = {
            key: value
            for key, value in os.environ.items()
            if not key.startswith("AWS_") and key.lower() not in {"http_proxy", "no_proxy"}
        }
        env.update(
            HOME=str(home),
            AWS_CONFIG_FILE=str(home / "config"),
            AWS_SHARED_CREDENTIALS_FILE=str(home / "credentials"),
            AWS_ACCESS_KEY_ID=emu.access_key_id,
            AWS_SECRET_ACCESS_KEY=emu.secret_access_key,
            AWS_DEFAULT_REGION="us-east-1",
            AWS_PAGER="",
            AWS_EC2_METADATA_DISABLED="true",
            NO_PROXY="",
            no_proxy="",
        )
        if proxy:
            # The data plane's host is <account>.localhost: the emulator serves it as a proxy.
            env.update(HTTP_PROXY=self.endpoint, http_proxy=self.endpoint)
        self.env = env
        self._server: asyncio.subprocess.Process | None = None
        self._count = 0

    async def __aenter__(self) -> Self:
        interpreter = _python_of(_executable())
        if interpreter is not None:
            self._server = await asyncio.create_subprocess_exec(
                interpreter,
                str(HERE / "forkserver.py"),
                str(_executable()),
                env=self.env,
                cwd=self.home,
                stdin=asyncio.subprocess.PIPE,
                stdout=asyncio.subprocess.PIPE,
            )
        return self

    async def __aexit__(self, *exc_info: object) -> None:
        server, self._server = self._server, None
        if server is None:
            return
        assert server.stdin is not None
        server.stdin.close()
        try:
            await asyncio.wait_for(server.wait(), COMMAND_SECONDS)
        finally:
            if server.returncode is None:
                server.kill()
                await server.wait()

    async def run(self, *argv: str, output: str = "json") -> Run:
        """Run ``aws <argv> --endpoint-url <emulator> --output <output>``; any outcome."""
        full = (*argv, "--endpoint-url", self.endpoint, "--output", output)
        if self._server is None:
            returncode, stdout, stderr = await self._exec(full)
        else:
            returncode, stdout, stderr = await self._fork(full)
        return Run(argv, returncode, stdout, stderr)

    async def _exec(self, argv: tuple[str, ...]) -> tuple[int, str, str]:
        process = await asyncio.create_subprocess_exec(
            str(_executable()),
            *argv,
            env=self.env,
            cwd=self.home,
            stdin=asyncio.subprocess.DEVNULL,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), COMMAND_SECONDS)
        finally:
            if process.returncode is None:
                process.kill()
                await process.wait()
        assert process.returncode is not None
        return process.returncode, stdout.decode(), stderr.decode()

    async def _fork(self, argv: tuple[str, ...]) -> tuple[int, str, str]:
        server = self._server
        assert server is not None
        assert server.stdin is not None
        assert server.stdout is not None
        self._count += 1
        stdout = self.home / f"command-{self._count}.out"
        stderr = self.home / f"command-{self._count}.err"
        request = {"argv": list(argv), "stdout": str(stdout), "stderr": str(stderr)}
        server.stdin.write(json.dumps(request).encode() + b"\n")
        await server.stdin.drain()
        answer = await asyncio.wait_for(server.stdout.readline(), COMMAND_SECONDS)
        assert answer, f"the fork server ended (exit {await server.wait()})"
        returncode = json.loads(answer)["returncode"]
        assert isinstance(returncode, int)
        return returncode, stdout.read_text(), stderr.read_text()

    async def __call__(self, *argv: str) -> Any:
        """The command's parsed JSON output (None when it prints nothing); it must succeed."""
        run = await self.run(*argv)
        assert run.returncode == 0, run.describe()
        assert not run.stderr.strip(), run.describe()
        return json.loads(run.stdout) if run.stdout.strip() else None

    async def fails(self, code: str, operation: str, *argv: str) -> Run:
        """The command must fail with the service error ``code`` of ``operation``, as the CLI
        reports one: its exit code, no output, and its message on stderr."""
        run = await self.run(*argv)
        assert run.returncode in FAILED, run.describe()
        assert not run.stdout.strip(), run.describe()
        said = f"An error occurred ({code}) when calling the {operation} operation: "
        assert said in run.stderr, run.describe()
        message = run.stderr.split(said, 1)[1].strip()
        assert message, run.describe()
        return run

    def file(self, name: str, content: str) -> str:
        """A ``fileb://`` argument holding ``content``."""
        path = self.home / name
        path.write_text(content)
        return f"fileb://{path}"


def _timing() -> Timing:
    # Emulated work takes far longer than an ``aws`` command, so each state is seen as the test
    # expects; the tests advance the emulator's clock (DONE) instead of sleeping.
    return Timing(
        lightsail_operation=WORK,
        lightsail_distribution_deploy=WORK,
        cloudfront_distribution_deploy=WORK,
        invalidation=WORK,
        key_value_store_provisioning=WORK,
    )


async def test_the_aws_cli_drives_each_service(tmp_path: Path) -> None:
    """The three sessions run at once, each on its own emulator: an ``aws`` command spends
    about a second starting, so one after the other they would take over a minute."""

    async def run(session: Callable[[Emulator, Aws], Awaitable[None]], proxy: bool) -> None:
        async with (
            Emulator(timing=_timing()) as emu,
            Aws(emu, tmp_path / session.__name__.strip("_"), proxy=proxy) as aws,
        ):
            await session(emu, aws)

    sessions = (
        (_lightsail_session, False),
        (_cloudfront_session, False),
        # Through the emulator as HTTP proxy: the data plane's <account>.localhost host
        # resolves nowhere else (docs/testing.md).
        (_key_value_store_and_function_session, True),
    )
    outcomes = await asyncio.gather(
        *(run(*session) for session in sessions), return_exceptions=True
    )
    failures = [outcome for outcome in outcomes if isinstance(outcome, BaseException)]
    if len(failures) == 1:
        raise failures[0]
    if failures:
        raise BaseExceptionGroup("more than one session failed", failures)


async def _lightsail_session(emu: Emulator, aws: Aws) -> None:
    bundles = await aws("lightsail", "get-distribution-bundles")
    assert "small_1_0" in [bundle["bundleId"] for bundle in bundles["bundles"]]

    created = await aws(
        "lightsail", "create-distribution",
        "--distribution-name", "site-cli",
        "--origin", "name=origin-1,regionName=us-east-1,protocolPolicy=http-only",
        "--default-cache-behavior", "behavior=cache",
        "--bundle-id", "small_1_0",
        "--tags", "key=team,value=web",
    )  # fmt: skip
    assert created["distribution"]["name"] == "site-cli"
    assert created["distribution"]["status"] == "InProgress"
    assert created["operation"]["operationType"] == "CreateDistribution"
    assert created["operation"]["isTerminal"] is False
    # A change while the creation is still in progress is refused, with AWS's "wait" message.
    busy = await aws.fails(
        "InvalidInputException", "UpdateDistribution",
        "lightsail", "update-distribution", "--distribution-name", "site-cli", "--is-enabled",
    )  # fmt: skip
    assert "wait" in busy.stderr

    emu.clock.advance(DONE)
    operation = await aws(
        "lightsail", "get-operation", "--operation-id", created["operation"]["id"]
    )
    assert operation["operation"]["status"] == "Succeeded"
    assert operation["operation"]["isTerminal"] is True
    (distribution,) = (
        await aws("lightsail", "get-distributions", "--distribution-name", "site-cli")
    )["distributions"]
    assert distribution["status"] == "Deployed"
    assert distribution["tags"] == [{"key": "team", "value": "web"}]

    updated = await aws(
        "lightsail", "update-distribution",
        "--distribution-name", "site-cli",
        "--default-cache-behavior", "behavior=dont-cache",
        "--cache-behavior-settings", "defaultTTL=3600,minimumTTL=0,maximumTTL=86400",
    )  # fmt: skip
    assert updated["operation"]["operationType"] == "UpdateDistribution"
    emu.clock.advance(DONE)
    (distribution,) = (
        await aws("lightsail", "get-distributions", "--distribution-name", "site-cli")
    )["distributions"]
    assert distribution["defaultCacheBehavior"] == {"behavior": "dont-cache"}
    assert distribution["cacheBehaviorSettings"]["defaultTTL"] == 3600

    reset = await aws("lightsail", "reset-distribution-cache", "--distribution-name", "site-cli")
    assert reset["operation"]["operationType"] == "ResetDistributionCache"
    assert {"status", "createTime"} <= reset.keys()
    latest = await aws(
        "lightsail", "get-distribution-latest-cache-reset", "--distribution-name", "site-cli"
    )
    assert latest["createTime"] == reset["createTime"]

    certificate = await aws(
        "lightsail", "create-certificate",
        "--certificate-name", "cert-cli",
        "--domain-name", "www.example.com",
        "--subject-alternative-names", "static.example.com",
    )  # fmt: skip
    assert certificate["certificate"]["certificateName"] == "cert-cli"
    emu.clock.advance(DONE)
    certificates = await aws(
        "lightsail", "get-certificates",
        "--certificate-name", "cert-cli", "--include-certificate-details",
    )  # fmt: skip
    (listed,) = certificates["certificates"]
    assert listed["certificateDetail"]["status"] == "ISSUED"
    await aws(
        "lightsail", "attach-certificate-to-distribution",
        "--distribution-name", "site-cli", "--certificate-name", "cert-cli",
    )  # fmt: skip
    emu.clock.advance(DONE)
    (distribution,) = (
        await aws("lightsail", "get-distributions", "--distribution-name", "site-cli")
    )["distributions"]
    assert distribution["certificateName"] == "cert-cli"
    assert sorted(distribution["alternativeDomainNames"]) == [
        "static.example.com",
        "www.example.com",
    ]
    await aws(
        "lightsail", "detach-certificate-from-distribution", "--distribution-name", "site-cli"
    )
    emu.clock.advance(DONE)
    await aws("lightsail", "delete-certificate", "--certificate-name", "cert-cli")

    history = await aws("lightsail", "get-operations-for-resource", "--resource-name", "site-cli")
    kinds = [operation["operationType"] for operation in history["operations"]]
    assert {"CreateDistribution", "UpdateDistribution", "ResetDistributionCache"} <= set(kinds)
    everything = await aws("lightsail", "get-operations")
    assert {"CreateCertificate", "DeleteCertificate"} <= {
        operation["operationType"] for operation in everything["operations"]
    }

    deleted = await aws("lightsail", "delete-distribution", "--distribution-name", "site-cli")
    assert deleted["operation"]["operationType"] == "DeleteDistribution"
    emu.clock.advance(DONE)
    await aws.fails(
        "InvalidInputException", "GetDistributions",
        "lightsail", "get-distributions", "--distribution-name", "site-cli",
    )  # fmt: skip
    await aws.fails(
        "NotFoundException", "GetOperation",
        "lightsail", "get-operation", "--operation-id", "00000000-0000-0000-0000-000000000000",
    )  # fmt: skip


async def _cloudfront_session(emu: Emulator, aws: Aws) -> None:
    created = await aws(
        "cloudfront", "create-distribution",
        "--origin-domain-name", "origin.example.com",
        "--default-root-object", "index.html",
    )  # fmt: skip
    distribution_id = created["Distribution"]["Id"]
    config = created["Distribution"]["DistributionConfig"]
    assert created["Distribution"]["Status"] == "InProgress"
    assert config["Origins"]["Items"][0]["DomainName"] == "origin.example.com"
    assert config["DefaultRootObject"] == "index.html"
    # CloudFront fills in what the CLI's sparse config leaves out (test_cli_wire.py).
    assert config["DefaultCacheBehavior"]["DefaultTTL"] == 86400
    assert config["DefaultCacheBehavior"]["AllowedMethods"]["Items"] == ["HEAD", "GET"]
    assert config["Origins"]["Items"][0]["CustomHeaders"] == {"Quantity": 0}
    assert created["Location"].endswith(f"/distribution/{distribution_id}")

    emu.clock.advance(DONE)
    assert await aws("cloudfront", "wait", "distribution-deployed", "--id", distribution_id) is None
    current = await aws("cloudfront", "get-distribution-config", "--id", distribution_id)
    assert current["ETag"] == created["ETag"]
    config = current["DistributionConfig"]
    config["Comment"] = "edited by the AWS CLI"
    updated = await aws(
        "cloudfront", "update-distribution",
        "--id", distribution_id,
        "--if-match", current["ETag"],
        "--distribution-config", json.dumps(config),
    )  # fmt: skip
    assert updated["ETag"] != current["ETag"]
    assert updated["Distribution"]["DistributionConfig"]["Comment"] == "edited by the AWS CLI"
    stale = await aws.fails(
        "PreconditionFailed", "UpdateDistribution",
        "cloudfront", "update-distribution",
        "--id", distribution_id,
        "--if-match", current["ETag"],
        "--distribution-config", json.dumps(config),
    )  # fmt: skip
    assert stale.stderr.strip().endswith(
        "The precondition given in one or more of the request header fields evaluated to false."
    )
    # The CLI reads the config and its ETag itself, then changes one field.
    rooted = await aws(
        "cloudfront", "update-distribution",
        "--id", distribution_id, "--default-root-object", "home.html",
    )  # fmt: skip
    rooted_config = rooted["Distribution"]["DistributionConfig"]
    assert rooted_config["DefaultRootObject"] == "home.html"
    assert rooted_config["Comment"] == "edited by the AWS CLI"

    invalidation = await aws(
        "cloudfront", "create-invalidation",
        "--distribution-id", distribution_id, "--paths", "/index.html", "/img/*",
    )  # fmt: skip
    invalidation_id = invalidation["Invalidation"]["Id"]
    assert invalidation["Invalidation"]["Status"] == "InProgress"
    assert invalidation["Invalidation"]["InvalidationBatch"]["Paths"] == {
        "Quantity": 2,
        "Items": ["/index.html", "/img/*"],
    }
    emu.clock.advance(DONE)
    waited = await aws(
        "cloudfront", "wait", "invalidation-completed",
        "--distribution-id", distribution_id, "--id", invalidation_id,
    )  # fmt: skip
    assert waited is None
    got = await aws(
        "cloudfront", "get-invalidation", "--distribution-id", distribution_id,
        "--id", invalidation_id,
    )  # fmt: skip
    assert got["Invalidation"]["Status"] == "Completed"
    listed = await aws("cloudfront", "list-invalidations", "--distribution-id", distribution_id)
    assert [item["Id"] for item in listed["InvalidationList"]["Items"]] == [invalidation_id]
    # The waiter stops at once on an error it has no acceptor for.
    missing = await aws.run(
        "cloudfront", "wait", "invalidation-completed",
        "--distribution-id", distribution_id, "--id", "I0000000000000",
    )  # fmt: skip
    assert missing.returncode in FAILED, missing.describe()
    assert "Waiter InvalidationCompleted failed" in missing.stderr, missing.describe()
    assert "NoSuchInvalidation" in missing.stderr, missing.describe()

    # Two more distributions (one with an S3 origin), then pages of one item each.
    others = [
        (await aws("cloudfront", "create-distribution", "--origin-domain-name", domain))
        for domain in ("assets.example.com", "bucket-cli.s3.amazonaws.com")
    ]
    s3_origin = others[1]["Distribution"]["DistributionConfig"]["Origins"]["Items"][0]
    assert s3_origin["S3OriginConfig"] == {"OriginAccessIdentity": ""}
    first = await aws("cloudfront", "list-distributions", "--max-items", "2", "--page-size", "1")
    assert len(first["DistributionList"]["Items"]) == 2
    rest = await aws(
        "cloudfront", "list-distributions", "--page-size", "1",
        "--starting-token", first["NextToken"],
    )  # fmt: skip
    assert "NextToken" not in rest
    ids = [item["Id"] for page in (first, rest) for item in page["DistributionList"]["Items"]]
    expected = {distribution_id, *(other["Distribution"]["Id"] for other in others)}
    assert sorted(ids) == sorted(expected)

    await aws.fails(
        "NoSuchDistribution", "GetDistribution",
        "cloudfront", "get-distribution", "--id", "E0000000000000",
    )  # fmt: skip
    # No --if-match at all: CloudFront asks for one (the model leaves it optional).
    await aws.fails(
        "InvalidIfMatchVersion", "UpdateDistribution",
        "cloudfront", "update-distribution",
        "--id", distribution_id, "--distribution-config", json.dumps(config),
    )  # fmt: skip
    # An enabled distribution cannot be deleted; disabled and deployed, it can.
    assets = others[0]
    await aws.fails(
        "DistributionNotDisabled", "DeleteDistribution",
        "cloudfront", "delete-distribution",
        "--id", assets["Distribution"]["Id"], "--if-match", assets["ETag"],
    )  # fmt: skip
    disabled_config = {**assets["Distribution"]["DistributionConfig"], "Enabled": False}
    disabled = await aws(
        "cloudfront", "update-distribution",
        "--id", assets["Distribution"]["Id"],
        "--if-match", assets["ETag"],
        "--distribution-config", json.dumps(disabled_config),
    )  # fmt: skip
    emu.clock.advance(DONE)
    await aws(
        "cloudfront", "delete-distribution",
        "--id", assets["Distribution"]["Id"], "--if-match", disabled["ETag"],
    )  # fmt: skip

    # Continuous deployment: a staging copy, a policy, attach it, promote.
    primary = await aws("cloudfront", "get-distribution", "--id", distribution_id)
    staging = await aws(
        "cloudfront", "copy-distribution",
        "--primary-distribution-id", distribution_id,
        "--staging",
        "--if-match", primary["ETag"],
        "--caller-reference", "staging-cli",
    )  # fmt: skip
    staging_id = staging["Distribution"]["Id"]
    assert staging["Distribution"]["DistributionConfig"]["Staging"] is True
    policy_config = {
        "StagingDistributionDnsNames": {
            "Quantity": 1,
            "Items": [staging["Distribution"]["DomainName"]],
        },
        "Enabled": True,
        "TrafficConfig": {"Type": "SingleWeight", "SingleWeightConfig": {"Weight": 0.1}},
    }
    policy = await aws(
        "cloudfront", "create-continuous-deployment-policy",
        "--continuous-deployment-policy-config", json.dumps(policy_config),
    )  # fmt: skip
    policy_id = policy["ContinuousDeploymentPolicy"]["Id"]
    fetched = await aws("cloudfront", "get-continuous-deployment-policy", "--id", policy_id)
    assert fetched["ETag"] == policy["ETag"]
    policy_config["TrafficConfig"] = {
        "Type": "SingleWeight",
        "SingleWeightConfig": {
            "Weight": 0.15,
            "SessionStickinessConfig": {"IdleTTL": 300, "MaximumTTL": 600},
        },
    }
    reweighted = await aws(
        "cloudfront", "update-continuous-deployment-policy",
        "--id", policy_id,
        "--if-match", fetched["ETag"],
        "--continuous-deployment-policy-config", json.dumps(policy_config),
    )  # fmt: skip
    traffic = reweighted["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"][
        "TrafficConfig"
    ]
    assert traffic["SingleWeightConfig"]["Weight"] == 0.15
    await aws.fails(
        "PreconditionFailed", "UpdateContinuousDeploymentPolicy",
        "cloudfront", "update-continuous-deployment-policy",
        "--id", policy_id,
        "--if-match", fetched["ETag"],
        "--continuous-deployment-policy-config", json.dumps(policy_config),
    )  # fmt: skip
    policies = await aws("cloudfront", "list-continuous-deployment-policies")
    assert [
        item["ContinuousDeploymentPolicy"]["Id"]
        for item in policies["ContinuousDeploymentPolicyList"]["Items"]
    ] == [policy_id]
    emu.clock.advance(DONE)
    primary = await aws("cloudfront", "get-distribution-config", "--id", distribution_id)
    attached_config = {**primary["DistributionConfig"], "ContinuousDeploymentPolicyId": policy_id}
    attached = await aws(
        "cloudfront", "update-distribution",
        "--id", distribution_id,
        "--if-match", primary["ETag"],
        "--distribution-config", json.dumps(attached_config),
    )  # fmt: skip
    emu.clock.advance(DONE)
    staged = await aws("cloudfront", "get-distribution", "--id", staging_id)
    promoted = await aws(
        "cloudfront", "update-distribution-with-staging-config",
        "--id", distribution_id,
        "--staging-distribution-id", staging_id,
        "--if-match", f"{attached['ETag']}, {staged['ETag']}",
    )  # fmt: skip
    assert promoted["Distribution"]["Id"] == distribution_id
    emu.clock.advance(DONE)
    after = await aws("cloudfront", "get-continuous-deployment-policy", "--id", policy_id)
    assert after["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]["Enabled"] is (
        False
    )


_FUNCTION = """\
import cf from 'cloudfront';

const flags = cf.kvs();

async function handler(event) {
  const beta = await flags.exists('beta');
  event.request.headers['x-beta'] = { value: beta ? await flags.get('beta') : 'off' };
  console.log('beta ' + beta);
  return event.request;
}
"""

_EVENT = {
    "version": "1.0",
    "context": {"eventType": "viewer-request"},
    "viewer": {"ip": "198.51.100.7"},
    "request": {
        "method": "GET",
        "uri": "/index.html",
        "headers": {"host": {"value": "www.example.com"}},
        "cookies": {},
        "querystring": {},
    },
}


async def _key_value_store_and_function_session(emu: Emulator, aws: Aws) -> None:
    created = await aws(
        "cloudfront", "create-key-value-store", "--name", "flags-cli", "--comment", "feature flags"
    )
    arn = created["KeyValueStore"]["ARN"]
    assert created["KeyValueStore"]["Status"] == "PROVISIONING"
    emu.clock.advance(DONE)
    described = await aws("cloudfront", "describe-key-value-store", "--name", "flags-cli")
    assert described["KeyValueStore"]["Status"] == "READY"
    stores = await aws("cloudfront", "list-key-value-stores")
    assert [item["Name"] for item in stores["KeyValueStoreList"]["Items"]] == ["flags-cli"]

    # The docs' shell recipe: the ARN as plain text, through --query.
    text = await aws.run(
        "cloudfront", "describe-key-value-store", "--name", "flags-cli",
        "--query", "KeyValueStore.ARN", output="text",
    )  # fmt: skip
    assert (text.returncode, text.stdout.strip()) == (0, arn), text.describe()
    data = await aws("cloudfront-keyvaluestore", "describe-key-value-store", "--kvs-arn", arn)
    assert data["ItemCount"] == 0
    put = await aws(
        "cloudfront-keyvaluestore", "put-key",
        "--kvs-arn", arn, "--key", "beta", "--value", "on", "--if-match", data["ETag"],
    )  # fmt: skip
    assert put["ItemCount"] == 1
    assert put["ETag"] != data["ETag"]
    await aws.fails(
        "ValidationException", "PutKey",
        "cloudfront-keyvaluestore", "put-key",
        "--kvs-arn", arn, "--key", "beta", "--value", "off", "--if-match", data["ETag"],
    )  # fmt: skip
    got = await aws("cloudfront-keyvaluestore", "get-key", "--kvs-arn", arn, "--key", "beta")
    assert got["Value"] == "on"
    batch = await aws(
        "cloudfront-keyvaluestore", "update-keys",
        "--kvs-arn", arn,
        "--if-match", put["ETag"],
        "--puts", json.dumps([{"Key": k, "Value": v} for k, v in (("a", "1"), ("b", "2"))]),
    )  # fmt: skip
    assert batch["ItemCount"] == 3
    first = await aws(
        "cloudfront-keyvaluestore", "list-keys",
        "--kvs-arn", arn, "--max-items", "2", "--page-size", "1",
    )  # fmt: skip
    rest = await aws(
        "cloudfront-keyvaluestore", "list-keys",
        "--kvs-arn", arn, "--page-size", "1", "--starting-token", first["NextToken"],
    )  # fmt: skip
    keys = [item["Key"] for page in (first, rest) for item in page["Items"]]
    assert sorted(keys) == ["a", "b", "beta"]
    deleted = await aws(
        "cloudfront-keyvaluestore", "delete-key",
        "--kvs-arn", arn, "--key", "a", "--if-match", batch["ETag"],
    )  # fmt: skip
    assert deleted["ItemCount"] == 2
    await aws.fails(
        "ResourceNotFoundException", "GetKey",
        "cloudfront-keyvaluestore", "get-key", "--kvs-arn", arn, "--key", "a",
    )  # fmt: skip

    function_config = {
        "Comment": "beta flag",
        "Runtime": "cloudfront-js-2.0",
        "KeyValueStoreAssociations": {"Quantity": 1, "Items": [{"KeyValueStoreARN": arn}]},
    }
    function = await aws(
        "cloudfront", "create-function",
        "--name", "flags-fn",
        "--function-config", json.dumps(function_config),
        "--function-code", aws.file("flags.js", _FUNCTION),
    )  # fmt: skip
    assert function["FunctionSummary"]["FunctionMetadata"]["Stage"] == "DEVELOPMENT"
    describe = await aws("cloudfront", "describe-function", "--name", "flags-fn")
    assert describe["ETag"] == function["ETag"]
    tested = await aws(
        "cloudfront", "test-function",
        "--name", "flags-fn",
        "--if-match", describe["ETag"],
        "--event-object", aws.file("event.json", json.dumps(_EVENT)),
    )  # fmt: skip
    result = tested["TestResult"]
    assert not result.get("FunctionErrorMessage"), result
    assert json.loads(result["FunctionOutput"])["request"]["headers"]["x-beta"] == {"value": "on"}
    assert result["FunctionExecutionLogs"] == ["beta true"]
    published = await aws(
        "cloudfront", "publish-function", "--name", "flags-fn", "--if-match", describe["ETag"]
    )
    assert published["FunctionSummary"]["FunctionMetadata"]["Stage"] == "LIVE"
    live = await aws("cloudfront", "describe-function", "--name", "flags-fn", "--stage", "LIVE")
    # Published but used by no distribution yet.
    assert live["FunctionSummary"]["Status"] == "UNASSOCIATED"

    # A store that a function uses cannot go; then the function goes, then the store.
    await aws.fails(
        "CannotDeleteEntityWhileInUse", "DeleteKeyValueStore",
        "cloudfront", "delete-key-value-store",
        "--name", "flags-cli", "--if-match", described["ETag"],
    )  # fmt: skip
    development = await aws("cloudfront", "describe-function", "--name", "flags-fn")
    await aws(
        "cloudfront", "delete-function", "--name", "flags-fn", "--if-match", development["ETag"]
    )
    await aws(
        "cloudfront", "delete-key-value-store",
        "--name", "flags-cli", "--if-match", described["ETag"],
    )  # fmt: skip
    await aws.fails(
        "EntityNotFound", "DescribeKeyValueStore",
        "cloudfront", "describe-key-value-store", "--name", "flags-cli",
    )  # fmt: skip
    await aws.fails(
        "ResourceNotFoundException", "DescribeKeyValueStore",
        "cloudfront-keyvaluestore", "describe-key-value-store", "--kvs-arn", arn,
    )  # fmt: skip
    await aws.fails(
        "NoSuchFunctionExists", "DescribeFunction",
        "cloudfront", "describe-function", "--name", "flags-fn",
    )  # fmt: skip
