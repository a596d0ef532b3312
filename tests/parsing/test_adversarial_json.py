"""JSON wire forms a real service, a newer API version or a proxy may send (Lightsail's JSON 1.1
and the KeyValueStore data plane's REST-JSON), each parsed by both parsers."""

from __future__ import annotations

import copy
import json
from datetime import datetime
from typing import Any

import pytest

from ._cases import Case, params, run

LS = "lightsail"
KVS = "cloudfront-keyvaluestore"
JSON_TYPE = {"content-type": "application/x-amz-json-1.1"}


def _distribution(**extra: Any) -> dict[str, Any]:
    return {
        "name": "site",
        "arn": "arn:aws:lightsail:us-east-1:123456789012:Distribution/abc",
        "createdAt": 1700000000.123,
        "location": {"availabilityZone": "all", "regionName": "us-east-1"},
        "resourceType": "Distribution",
        "alternativeDomainNames": ["www.example.com"],
        "status": "Deployed",
        "isEnabled": True,
        "domainName": "abc.cloudfront.net",
        "bundleId": "small_1_0",
        "origin": {
            "name": "web-1",
            "resourceType": "Instance",
            "regionName": "us-east-1",
            "protocolPolicy": "http-only",
            "responseTimeout": 30,
        },
        "defaultCacheBehavior": {"behavior": "cache"},
        "cacheBehaviorSettings": {
            "defaultTTL": 86400,
            "minimumTTL": 0,
            "maximumTTL": 31536000,
            "allowedHTTPMethods": "GET,HEAD",
            "forwardedCookies": {"option": "allow-list", "cookiesAllowList": ["a", "b"]},
        },
        "cacheBehaviors": [{"path": "/img/*", "behavior": "cache"}],
        "ableToUpdateBundle": True,
        "tags": [{"key": "team", "value": "web"}],
        **extra,
    }


def _page(*items: Any, **extra: Any) -> dict[str, Any]:
    return {"distributions": list(items), **extra}


def _operation(**extra: Any) -> dict[str, Any]:
    return {
        "operation": {
            "id": "op-1",
            "resourceName": "site",
            "resourceType": "Distribution",
            "createdAt": 1700000000,
            "location": {"availabilityZone": "all", "regionName": "us-east-1"},
            "isTerminal": True,
            "operationType": "UpdateDistribution",
            "status": "Succeeded",
            "statusChangedAt": 1700000001.5,
            **extra,
        }
    }


def _metric(**point: Any) -> dict[str, Any]:
    return {"metricName": "Requests", "metricData": [{"timestamp": 1700000000, **point}]}


def _with(document: dict[str, Any], path: str, value: Any) -> dict[str, Any]:
    """A copy of ``document`` with the member at dotted ``path`` (list index as a number) set
    to ``value``."""
    result = copy.deepcopy(document)
    *parents, last = path.split(".")
    node: Any = result
    for part in parents:
        node = node[int(part)] if isinstance(node, list) else node[part]
    if isinstance(node, list):
        node[int(last)] = value
    else:
        node[last] = value
    return result


def _first(parsed: Any, *path: str | int) -> Any:
    node = parsed
    for part in path:
        node = node[part]
    return node


def _dist(parsed: Any) -> Any:
    return _first(parsed, "distributions", 0)


def _created(parsed: Any) -> Any:
    return _first(parsed, "operation", "createdAt")


def _timestamp(value: Any, raises: type[BaseException] | None = None) -> Case:
    return Case(
        f"lightsail-timestamp-{type(value).__name__}-{value!s:.40}",
        LS,
        "GetOperation",
        _operation(createdAt=value),
        raises=raises,
        check=None if raises else lambda p: isinstance(_created(p), datetime),
    )


BASE = _page(_distribution())

LIGHTSAIL = [
    Case("lightsail-base", LS, "GetDistributions", BASE, check=lambda p: _dist(p)["isEnabled"]),
    Case(
        "lightsail-unknown-top-level-members",
        LS,
        "GetDistributions",
        {**BASE, "newField": 1, "newObject": {"a": [1, {"b": None}]}, "newList": [None, "x"]},
        check=lambda p: "newField" not in p and len(p["distributions"]) == 1,
    ),
    Case(
        "lightsail-unknown-nested-members",
        LS,
        "GetDistributions",
        _page(_distribution(newMember={"x": 1}, origin={"name": "o", "newFlag": True})),
        check=lambda p: _dist(p)["origin"] == {"name": "o"},
    ),
    Case(
        "lightsail-null-members",
        LS,
        "GetDistributions",
        _page(_distribution(bundleId=None, origin=None, tags=None), nextPageToken=None),
        check=lambda p: "origin" not in _dist(p) and "nextPageToken" not in p,
    ),
    Case(
        "lightsail-null-list-items",
        LS,
        "GetDistributions",
        _page(None, _distribution(alternativeDomainNames=[None, "a", None])),
        check=lambda p: (
            p["distributions"][0] is None
            and p["distributions"][1]["alternativeDomainNames"] == [None, "a", None]
        ),
    ),
    Case(
        "lightsail-null-map-values",
        LS,
        "GetLoadBalancer",
        {
            "loadBalancer": {
                "name": "lb",
                "configurationOptions": {"SessionStickinessEnabled": None},
            }
        },
        check=lambda p: (
            p["loadBalancer"]["configurationOptions"] == {"SessionStickinessEnabled": None}
        ),
    ),
    Case(
        "lightsail-map-of-structures-with-null",
        LS,
        "GetContainerServiceDeployments",
        {"deployments": [{"version": 1, "containers": {"a": None, "b": {"image": "i"}}}]},
        check=lambda p: p["deployments"][0]["containers"] == {"a": None, "b": {"image": "i"}},
    ),
    Case(
        "lightsail-empty-body",
        LS,
        "GetDistributions",
        b"",
        check=lambda p: list(p) == ["ResponseMetadata"],
    ),
    Case("lightsail-empty-object", LS, "GetDistributions", {}),
    Case(
        "lightsail-empty-lists-and-strings",
        LS,
        "GetDistributions",
        _page(_distribution(name="", alternativeDomainNames=[], tags=[])),
    ),
    Case("lightsail-empty-list-of-items", LS, "GetDistributions", _page()),
    Case("lightsail-json-null-body", LS, "GetDistributions", b"null", raises=AttributeError),
    Case("lightsail-json-array-body", LS, "GetDistributions", b"[]", raises=AttributeError),
    Case("lightsail-json-string-body", LS, "GetDistributions", b'"x"', raises=AttributeError),
    Case(
        "lightsail-html-body-on-200",
        LS,
        "GetDistributions",
        b"<html><body>proxy</body></html>",
        check=lambda p: list(p) == ["ResponseMetadata"],
    ),
    Case(
        "lightsail-invalid-utf8-body",
        LS,
        "GetDistributions",
        b'{"nextPageToken":"\xff"}',
        raises=UnicodeDecodeError,
    ),
    Case(
        "lightsail-whitespace-body",
        LS,
        "GetDistributions",
        b"  \n ",
        check=lambda p: list(p) == ["ResponseMetadata"],
    ),
    Case(
        "lightsail-pretty-printed-with-bom-free-whitespace",
        LS,
        "GetDistributions",
        json.dumps(BASE, indent=4).encode(),
    ),
    Case(
        "lightsail-numbers-as-strings",
        LS,
        "GetDistributions",
        _page(
            _distribution(
                cacheBehaviorSettings={"defaultTTL": "86400"}, origin={"responseTimeout": "30"}
            )
        ),
        check=lambda p: _dist(p)["cacheBehaviorSettings"]["defaultTTL"] == "86400",
    ),
    Case(
        "lightsail-booleans-as-strings-and-numbers",
        LS,
        "GetDistributions",
        _page(_distribution(isEnabled="true", ableToUpdateBundle=0)),
        check=lambda p: _dist(p)["isEnabled"] == "true",
    ),
    Case(
        "lightsail-integer-as-float",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.origin.responseTimeout", 30.0),
    ),
    Case(
        "lightsail-integer-as-fraction",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.origin.responseTimeout", 30.5),
    ),
    Case(
        "lightsail-huge-integer",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.cacheBehaviorSettings.defaultTTL", 2**80),
    ),
    Case("lightsail-double-as-integer", LS, "GetDistributionMetricData", _metric(average=3, sum=0)),
    Case(
        "lightsail-double-as-string",
        LS,
        "GetDistributionMetricData",
        _metric(average="3.5", maximum="NaN", minimum="-Infinity"),
    ),
    Case(
        "lightsail-double-huge-exponent",
        LS,
        "GetDistributionMetricData",
        b'{"metricData":[{"average":1e400,"sum":-0.0}]}',
    ),
    Case(
        "lightsail-float-price",
        LS,
        "GetDistributionBundles",
        {
            "bundles": [
                {
                    "bundleId": "small_1_0",
                    "price": 2.5,
                    "transferPerMonthInGb": 100,
                    "isActive": True,
                }
            ]
        },
    ),
    Case(
        "lightsail-string-as-number",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.name", 12),
    ),
    Case(
        "lightsail-list-as-string",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.alternativeDomainNames", "www"),
        check=lambda p: _dist(p)["alternativeDomainNames"] == ["w", "w", "w"],
    ),
    Case(
        "lightsail-list-as-object",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.alternativeDomainNames", {"a": 1}),
        check=lambda p: _dist(p)["alternativeDomainNames"] == ["a"],
    ),
    Case(
        "lightsail-list-as-number",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.alternativeDomainNames", 5),
        raises=TypeError,
    ),
    Case(
        "lightsail-structure-as-string",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.origin", "web-1"),
        raises=AttributeError,
    ),
    Case(
        "lightsail-structure-as-list",
        LS,
        "GetDistributions",
        _with(BASE, "distributions.0.origin", [1]),
        raises=AttributeError,
    ),
    Case(
        "lightsail-structure-items-as-strings",
        LS,
        "GetDistributions",
        _page("a", "b"),
        raises=AttributeError,
    ),
    Case(
        "lightsail-map-as-list",
        LS,
        "GetLoadBalancer",
        {"loadBalancer": {"configurationOptions": [1]}},
        raises=AttributeError,
    ),
    Case(
        "lightsail-map-with-list-value",
        LS,
        "GetLoadBalancer",
        {"loadBalancer": {"configurationOptions": {"k": [1, 2]}}},
    ),
    Case(
        "lightsail-duplicate-keys",
        LS,
        "GetDistributions",
        b'{"nextPageToken":"a","nextPageToken":"b","distributions":[]}',
        check=lambda p: p["nextPageToken"] == "b",
    ),
    Case(
        "lightsail-unicode-escapes",
        LS,
        "GetDistributions",
        b'{"nextPageToken":"\\u00e9\\ud83d\\ude00\\ud800 \\u0000 tab\\t"}',
    ),
    Case("lightsail-non-ascii-raw", LS, "GetDistributions", {"nextPageToken": "é中😀"}),
    Case(
        "lightsail-deep-unknown-nesting",
        LS,
        "GetDistributions",
        {**BASE, "x": json.loads("[" * 200 + "]" * 200)},
    ),
    Case(
        "lightsail-member-names-differ-only-by-case",
        LS,
        "GetDistributions",
        {**BASE, "NextPageToken": "A", "nextpagetoken": "b"},
        check=lambda p: "nextPageToken" not in p,
    ),
    Case(
        "lightsail-huge-list",
        LS,
        "GetDistributions",
        _page(*[_distribution(name=f"s{i}") for i in range(3000)]),
        check=lambda p: len(p["distributions"]) == 3000,
    ),
    Case(
        "lightsail-no-request-id-header",
        LS,
        "GetOperation",
        _operation(),
        headers={"x-amzn-requestid": ""},
    ),
    # Timestamps in every form a JSON service or proxy may use.
    _timestamp(1700000000),
    _timestamp(1700000000.5),
    _timestamp(1700000000.123456789),
    _timestamp(-1.5),
    _timestamp(0),
    _timestamp(True),
    _timestamp("1700000000"),
    _timestamp("1700000000.25"),
    _timestamp("2023-11-14T22:13:20Z"),
    _timestamp("2023-11-14T22:13:20.123456Z"),
    _timestamp("2023-11-14T22:13:20.1Z"),
    _timestamp("2023-11-14T22:13:20+02:00"),
    _timestamp("2023-11-14T22:13:20.5-0530"),
    _timestamp("2023-11-14T22:13:20"),
    _timestamp("2023-11-14"),
    _timestamp("Tue, 14 Nov 2023 22:13:20 GMT"),
    _timestamp("Tue, 14 Nov 2023 22:13:20 +0000"),
    _timestamp("not a date", raises=ValueError),
    _timestamp("", raises=ValueError),
    _timestamp(1e20, raises=RuntimeError),
    _timestamp([1], raises=ValueError),
]

_KVS_HEADERS = {"etag": "KV1ETAG", "content-type": "application/json"}


def _store(**extra: Any) -> dict[str, Any]:
    return {
        "ItemCount": 2,
        "TotalSizeInBytes": 40,
        "KvsARN": "arn:aws:cloudfront::123456789012:key-value-store/abc",
        "Created": 1700000000.5,
        "LastModified": 1700000100,
        "Status": "READY",
        **extra,
    }


def _kvs(case_id: str, operation: str, body: Any, **kwargs: Any) -> Case:
    kwargs.setdefault("headers", _KVS_HEADERS)
    return Case(f"kvs-{case_id}", KVS, operation, body, **kwargs)


KEY_VALUE_STORE = [
    _kvs("describe", "DescribeKeyValueStore", _store(), check=lambda p: p["ETag"] == "KV1ETAG"),
    _kvs("describe-no-etag", "DescribeKeyValueStore", _store(), headers={}),
    _kvs("describe-etag-mixed-case", "DescribeKeyValueStore", _store(), headers={"ETag": "X"}),
    _kvs(
        "describe-unknown-and-null",
        "DescribeKeyValueStore",
        _store(Status=None, New={"a": 1}, FailureReason=None),
    ),
    _kvs(
        "describe-numbers-as-strings",
        "DescribeKeyValueStore",
        _store(ItemCount="2", TotalSizeInBytes="40"),
        check=lambda p: p["ItemCount"] == 2,
    ),
    _kvs(
        "describe-integer-as-fraction",
        "DescribeKeyValueStore",
        _store(ItemCount=2.9),
        check=lambda p: p["ItemCount"] == 2,
    ),
    _kvs(
        "describe-integer-as-bad-string",
        "DescribeKeyValueStore",
        _store(ItemCount="two"),
        raises=ValueError,
    ),
    _kvs("describe-integer-as-boolean", "DescribeKeyValueStore", _store(ItemCount=True)),
    _kvs(
        "describe-timestamp-iso", "DescribeKeyValueStore", _store(Created="2023-11-14T22:13:20.5Z")
    ),
    _kvs(
        "describe-timestamp-naive-iso",
        "DescribeKeyValueStore",
        _store(Created="2023-11-14T22:13:20"),
    ),
    _kvs(
        "describe-timestamp-string-epoch", "DescribeKeyValueStore", _store(Created="1700000000.5")
    ),
    _kvs(
        "describe-timestamp-bad",
        "DescribeKeyValueStore",
        _store(Created="yesterday"),
        raises=ValueError,
    ),
    _kvs("describe-empty-body", "DescribeKeyValueStore", b""),
    # botocore reads header members from a JSON body too, and the body's value wins.
    _kvs(
        "describe-header-member-in-body",
        "DescribeKeyValueStore",
        _store(ETag="from-body"),
        check=lambda p: p["ETag"] == "from-body",
    ),
    _kvs("describe-header-member-in-body-as-number", "DescribeKeyValueStore", _store(ETag=5)),
    _kvs("describe-null-body", "DescribeKeyValueStore", b"null", raises=TypeError),
    _kvs("get-key", "GetKey", {"Key": "k", "Value": "v", "ItemCount": 1, "TotalSizeInBytes": 2}),
    _kvs(
        "get-key-empty-value",
        "GetKey",
        {"Key": "k", "Value": "", "ItemCount": 0, "TotalSizeInBytes": 0},
    ),
    _kvs("list-keys", "ListKeys", {"Items": [{"Key": "a", "Value": "1"}], "NextToken": "t"}),
    _kvs(
        "list-keys-null-items",
        "ListKeys",
        {"Items": [None, {"Key": "a", "Value": None}]},
        check=lambda p: p["Items"][0] is None,
    ),
    _kvs("list-keys-items-null", "ListKeys", {"Items": None}, check=lambda p: "Items" not in p),
    _kvs(
        "list-keys-huge",
        "ListKeys",
        {"Items": [{"Key": f"k{i}", "Value": "v" * 20} for i in range(5000)]},
        check=lambda p: len(p["Items"]) == 5000,
    ),
    _kvs(
        "put-key",
        "PutKey",
        {"ItemCount": 3, "TotalSizeInBytes": 9},
        check=lambda p: p["ETag"] == "KV1ETAG",
    ),
    _kvs("update-keys-no-body", "UpdateKeys", b""),
]

#: Error replies: the generic error parse, then (as aiobotocore's endpoint does) the modeled
#: error shape's members.
ERRORS = [
    Case(
        "lightsail-error-modeled",
        LS,
        "GetDistributions",
        {
            "__type": "InvalidInputException",
            "message": "Requested resource not found",
            "code": "InvalidInput",
            "docs": "d",
            "tip": "t",
        },
        status=400,
        check=lambda p: p["Error"]["Code"] == "InvalidInputException" and p["tip"] == "t",
    ),
    Case(
        "lightsail-error-namespaced-type",
        LS,
        "GetDistributions",
        {"__type": "com.amazonaws.lightsail#NotFoundException:http://x", "Message": "gone"},
        status=400,
        check=lambda p: p["Error"]["Code"] == "NotFoundException",
    ),
    Case(
        "lightsail-error-unmodeled",
        LS,
        "GetDistributions",
        {"__type": "ThrottlingException", "message": "Rate exceeded"},
        status=400,
    ),
    Case(
        "lightsail-error-no-type",
        LS,
        "GetDistributions",
        {"message": "?"},
        status=400,
        check=lambda p: p["Error"]["Code"] == "400",
    ),
    Case(
        "lightsail-error-modeled-with-unknown-and-null",
        LS,
        "GetDistributions",
        {"__type": "NotFoundException", "message": None, "code": None, "extra": [1]},
        status=400,
    ),
    Case(
        "lightsail-error-query-compatible",
        LS,
        "GetDistributions",
        {"__type": "AccessDeniedException", "message": "no"},
        status=403,
        headers={"x-amzn-query-error": "AccessDenied;Sender"},
    ),
    Case(
        "lightsail-error-500-html",
        LS,
        "GetDistributions",
        b"<html><body><b>Http/1.1 Service Unavailable</b></body></html>",
        status=503,
        check=lambda p: p["Error"]["Code"] == "503",
    ),
    Case("lightsail-error-500-empty", LS, "GetDistributions", b"", status=500),
    Case(
        "lightsail-error-500-json",
        LS,
        "GetDistributions",
        {"__type": "ServiceException", "message": "x"},
        status=500,
    ),
    Case(
        "lightsail-error-400-not-json",
        LS,
        "GetDistributions",
        b"Bad Request",
        status=400,
        check=lambda p: p["Error"]["Message"] == "Bad Request",
    ),
    Case("lightsail-error-400-html", LS, "GetDistributions", b"<html>proxy</html>", status=400),
    Case("lightsail-status-300", LS, "GetDistributions", BASE, status=300),
    Case("lightsail-status-301-empty", LS, "GetDistributions", b"", status=301),
    _kvs(
        "error-header-type",
        "DescribeKeyValueStore",
        {"Message": "nope"},
        status=404,
        headers={"x-amzn-ErrorType": "ResourceNotFoundException:http://internal"},
        check=lambda p: (
            p["Error"]["Code"] == "ResourceNotFoundException" and p["Message"] == "nope"
        ),
    ),
    _kvs(
        "error-body-code",
        "PutKey",
        {"code": "ConflictException", "message": "Key-Value-Store was not in expected state"},
        status=409,
    ),
    _kvs(
        "error-validation-precondition",
        "PutKey",
        {"message": "Pre-Condition failed"},
        status=400,
        headers={"x-amzn-errortype": "ValidationException"},
    ),
    _kvs("error-no-code", "GetKey", {"message": "?"}, status=404, headers={}),
    _kvs("error-502-html", "GetKey", b"<html>Bad Gateway</html>", status=502, headers={}),
    _kvs(
        "error-429-empty",
        "ListKeys",
        b"",
        status=429,
        headers={"x-amzn-errortype": "ThrottlingException"},
    ),
]

#: Known divergences of the fast parser: case id -> what differs.
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("case", params(LIGHTSAIL + KEY_VALUE_STORE + ERRORS, KNOWN))
async def test_json_wire_forms_parse_alike(case: Case) -> None:
    await run(case)
