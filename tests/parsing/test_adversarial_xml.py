"""XML wire forms CloudFront, a newer API version or a proxy may send, each parsed by both
parsers (REST-XML)."""

from __future__ import annotations

import re
from datetime import datetime
from typing import Any

import pytest
from botocore.parsers import ResponseParserError

from ._cases import Case, params, run

CF = "cloudfront"
NS = b' xmlns="http://cloudfront.amazonaws.com/doc/2020-05-31/"'
DECLARATION = b'<?xml version="1.0" encoding="UTF-8"?>'
HEADERS = {"etag": "E2QWRUHEXAMPLE", "content-type": "text/xml"}

#: GetDistribution as the emulator's codec writes it (compact, declaration, namespace).
DISTRIBUTION = (
    DECLARATION + b"<Distribution" + NS + b">"
    b"<Id>EDFDVBD6EXAMPLE</Id>"
    b"<ARN>arn:aws:cloudfront::123456789012:distribution/EDFDVBD6EXAMPLE</ARN>"
    b"<Status>Deployed</Status>"
    b"<LastModifiedTime>2024-01-02T03:04:05.678Z</LastModifiedTime>"
    b"<InProgressInvalidationBatches>0</InProgressInvalidationBatches>"
    b"<DomainName>d111111abcdef8.cloudfront.net</DomainName>"
    b"<ActiveTrustedSigners><Enabled>false</Enabled><Quantity>0</Quantity></ActiveTrustedSigners>"
    b"<DistributionConfig>"
    b"<CallerReference>ref-1</CallerReference>"
    b"<Aliases><Quantity>2</Quantity>"
    b"<Items><CNAME>a.example.com</CNAME><CNAME>b.example.com</CNAME></Items></Aliases>"
    b"<DefaultRootObject></DefaultRootObject>"
    b"<Origins><Quantity>1</Quantity><Items><Origin><Id>o1</Id>"
    b"<DomainName>o.example.com</DomainName><OriginPath></OriginPath>"
    b"<CustomHeaders><Quantity>0</Quantity></CustomHeaders>"
    b"<CustomOriginConfig><HTTPPort>80</HTTPPort><HTTPSPort>443</HTTPSPort>"
    b"<OriginProtocolPolicy>http-only</OriginProtocolPolicy></CustomOriginConfig>"
    b"<ConnectionAttempts>3</ConnectionAttempts><ConnectionTimeout>10</ConnectionTimeout>"
    b"</Origin></Items></Origins>"
    b"<DefaultCacheBehavior><TargetOriginId>o1</TargetOriginId>"
    b"<ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy><Compress>true</Compress>"
    b"<MinTTL>0</MinTTL></DefaultCacheBehavior>"
    b"<Comment>hello</Comment><Enabled>true</Enabled><Staging>false</Staging>"
    b"<PriceClass>PriceClass_All</PriceClass>"
    b"</DistributionConfig></Distribution>"
)


def _replace(old: bytes, new: bytes, body: bytes = DISTRIBUTION) -> bytes:
    assert body.count(old) == 1, old
    return body.replace(old, new)


def _pretty(body: bytes, indent: bytes = b"\n  ") -> bytes:
    """Whitespace and line breaks between elements (never inside an empty element)."""
    body = re.sub(rb">(?=<[^/!?])", b">" + indent, body)
    return re.sub(rb"(</[^>]+>)(?=</)", rb"\1" + indent, body)


def _config(parsed: Any) -> Any:
    return parsed["Distribution"]["DistributionConfig"]


def _dist(case_id: str, body: bytes, **kwargs: Any) -> Case:
    kwargs.setdefault("headers", HEADERS)
    return Case(f"xml-{case_id}", CF, "GetDistribution", body, **kwargs)


def _scalar(case_id: str, old: bytes, new: bytes, **kwargs: Any) -> Case:
    return _dist(case_id, _replace(old, new), **kwargs)


def _timestamp(text: bytes, raises: type[BaseException] | None = None) -> Case:
    return _scalar(
        f"timestamp-{text.decode()[:40]}",
        b"2024-01-02T03:04:05.678Z",
        text,
        raises=raises,
        check=None
        if raises
        else lambda p: isinstance(p["Distribution"]["LastModifiedTime"], datetime),
    )


def _prefixed(body: bytes) -> bytes:
    """Every element in the ``cf:`` prefix of the same namespace."""
    body = re.sub(rb"<(/?)([A-Za-z])", rb"<\1cf:\2", body)
    return body.replace(b"<cf:Distribution xmlns=", b"<cf:Distribution xmlns:cf=")


STRUCTURE_FORMS = [
    _dist(
        "base",
        DISTRIBUTION,
        check=lambda p: (
            _config(p)["Aliases"]["Items"] == ["a.example.com", "b.example.com"]
            and p["ETag"] == "E2QWRUHEXAMPLE"
            and _config(p)["DefaultRootObject"] == ""
        ),
    ),
    _dist("no-declaration", DISTRIBUTION.removeprefix(DECLARATION)),
    _dist(
        "declaration-single-quotes-standalone",
        b"<?xml version='1.0' encoding='utf-8' standalone='yes'?>"
        + DISTRIBUTION.removeprefix(DECLARATION),
    ),
    _dist("byte-order-mark", b"\xef\xbb\xbf" + DISTRIBUTION),
    _dist(
        "declared-latin1-sent-utf8",
        _replace(b"hello", "héllo €".encode(), DISTRIBUTION.replace(b"UTF-8", b"ISO-8859-1")),
    ),
    _dist(
        "declared-latin1-sent-latin1",
        _replace(
            b"hello", "héllo".encode("latin-1"), DISTRIBUTION.replace(b"UTF-8", b"ISO-8859-1")
        ),
        raises=ResponseParserError,
    ),
    _dist("no-namespace", _replace(NS, b"")),
    _dist(
        "other-namespace",
        _replace(NS, b' xmlns="http://cloudfront.amazonaws.com/doc/2099-01-01/"'),
    ),
    _dist("prefixed-namespace", _prefixed(DISTRIBUTION), check=lambda p: _config(p)["Enabled"]),
    _dist(
        "nested-namespace",
        _replace(b"<Origin>", b'<Origin xmlns="urn:other" xmlns:x="urn:x" x:attr="1">'),
    ),
    _dist("whitespace-between-elements", _pretty(DISTRIBUTION)),
    _dist("tabs-and-crlf-between-elements", _pretty(DISTRIBUTION, b"\r\n\t\t")),
    _dist("attributes-everywhere", DISTRIBUTION.replace(b"<Quantity>", b'<Quantity unit="n">')),
    _scalar(
        "unknown-top-level-element",
        b"<Id>EDFDVBD6EXAMPLE</Id>",
        b"<NewThing>x</NewThing><Id>EDFDVBD6EXAMPLE</Id>",
    ),
    _scalar(
        "unknown-nested-element-with-children",
        b"<Comment>",
        b"<Future><A>1</A><B><C/></B></Future><Comment>",
        check=lambda p: "Future" not in _config(p),
    ),
    _scalar(
        "unknown-element-in-a-list",
        b"<CNAME>b.example.com</CNAME>",
        b"<CNAME>b.example.com</CNAME><Other>x</Other>",
    ),
    _scalar(
        "unknown-element-in-a-list-item",
        b"<Id>o1</Id>",
        b"<Id>o1</Id><Weight>3</Weight>",
    ),
    _scalar(
        "elements-in-another-order",
        b"<Quantity>2</Quantity><Items><CNAME>a.example.com</CNAME>"
        b"<CNAME>b.example.com</CNAME></Items>",
        b"<Items><CNAME>a.example.com</CNAME>"
        b"<CNAME>b.example.com</CNAME></Items><Quantity>2</Quantity>",
    ),
    _dist(
        "members-in-reverse-order",
        _replace(
            b"<Comment>hello</Comment><Enabled>true</Enabled><Staging>false</Staging>",
            b"<Staging>false</Staging><Enabled>true</Enabled><Comment>hello</Comment>",
        ),
    ),
    _scalar(
        "empty-string-self-closing",
        b"<Comment>hello</Comment>",
        b"<Comment/>",
        check=lambda p: _config(p)["Comment"] == "",
    ),
    _scalar("empty-string-pair", b"<Comment>hello</Comment>", b"<Comment></Comment>"),
    _scalar("whitespace-only-string", b"<Comment>hello</Comment>", b"<Comment> \n </Comment>"),
    _scalar(
        "empty-structure",
        b"<ActiveTrustedSigners><Enabled>false</Enabled>"
        b"<Quantity>0</Quantity></ActiveTrustedSigners>",
        b"<ActiveTrustedSigners/>",
        check=lambda p: p["Distribution"]["ActiveTrustedSigners"] == {},
    ),
    _scalar(
        "empty-list",
        b"<Items><CNAME>a.example.com</CNAME><CNAME>b.example.com</CNAME></Items>",
        b"<Items/>",
        check=lambda p: _config(p)["Aliases"]["Items"] == [],
    ),
    _scalar("empty-list-item", b"<CNAME>a.example.com</CNAME>", b"<CNAME/>"),
    _scalar("empty-structure-list-item", b"<Origin><Id>o1</Id>", b"<Origin/><Origin><Id>o1</Id>"),
    _scalar("empty-integer", b"<Quantity>2</Quantity>", b"<Quantity/>", raises=ValueError),
    _scalar("empty-boolean", b"<Enabled>true</Enabled>", b"<Enabled/>"),
    _scalar("empty-long", b"<MinTTL>0</MinTTL>", b"<MinTTL></MinTTL>", raises=ValueError),
    _scalar(
        "empty-timestamp",
        b"<LastModifiedTime>2024-01-02T03:04:05.678Z</LastModifiedTime>",
        b"<LastModifiedTime/>",
        raises=ValueError,
    ),
    _scalar(
        "repeated-scalar",
        b"<Comment>hello</Comment>",
        b"<Comment>a</Comment><Comment>b</Comment>",
        check=lambda p: isinstance(_config(p)["Comment"], list),
    ),
    _scalar(
        "repeated-structure",
        b"<DefaultCacheBehavior>",
        b"<DefaultCacheBehavior><TargetOriginId>first</TargetOriginId>"
        b"</DefaultCacheBehavior><DefaultCacheBehavior>",
    ),
    _scalar(
        "repeated-list-wrapper",
        b"<Items><CNAME>a.example.com</CNAME>",
        b"<Items><CNAME>z</CNAME></Items><Items><CNAME>a.example.com</CNAME>",
    ),
    _scalar(
        "repeated-integer",
        b"<Quantity>2</Quantity>",
        b"<Quantity>2</Quantity><Quantity>3</Quantity>",
        raises=TypeError,
    ),
    _scalar(
        "integer-with-spaces",
        b"<Quantity>2</Quantity>",
        b"<Quantity>\n 2 \t</Quantity>",
        check=lambda p: _config(p)["Aliases"]["Quantity"] == 2,
    ),
    _scalar("integer-with-sign", b"<Quantity>2</Quantity>", b"<Quantity>+2</Quantity>"),
    _scalar("integer-with-underscore", b"<Quantity>2</Quantity>", b"<Quantity>1_0</Quantity>"),
    _scalar(
        "integer-fullwidth-digits",
        b"<Quantity>2</Quantity>",
        "<Quantity>\uff12</Quantity>".encode(),
    ),
    _scalar(
        "integer-as-decimal",
        b"<Quantity>2</Quantity>",
        b"<Quantity>2.0</Quantity>",
        raises=ValueError,
    ),
    _scalar(
        "integer-as-word", b"<Quantity>2</Quantity>", b"<Quantity>two</Quantity>", raises=ValueError
    ),
    _scalar("long-huge", b"<MinTTL>0</MinTTL>", b"<MinTTL>123456789012345678901234567890</MinTTL>"),
    _scalar("long-negative", b"<MinTTL>0</MinTTL>", b"<MinTTL>-9223372036854775808</MinTTL>"),
    _scalar(
        "boolean-capitalised",
        b"<Enabled>true</Enabled>",
        b"<Enabled>True</Enabled>",
        check=lambda p: _config(p)["Enabled"] is False,
    ),
    _scalar("boolean-as-one", b"<Enabled>true</Enabled>", b"<Enabled>1</Enabled>"),
    _scalar("boolean-with-spaces", b"<Enabled>true</Enabled>", b"<Enabled> true </Enabled>"),
    _scalar("boolean-with-newline", b"<Enabled>true</Enabled>", b"<Enabled>true\n</Enabled>"),
    _scalar(
        "string-with-cdata",
        b"<Comment>hello</Comment>",
        b"<Comment><![CDATA[a<b>&c]]></Comment>",
        check=lambda p: _config(p)["Comment"] == "a<b>&c",
    ),
    _scalar(
        "string-with-references",
        b"<Comment>hello</Comment>",
        b"<Comment>&amp;&lt;&gt;&quot;&apos;&#233;&#x1F600;&#13;</Comment>",
    ),
    _scalar(
        "string-with-comment-inside",
        b"<Comment>hello</Comment>",
        b"<Comment>hel<!-- x -->lo</Comment>",
    ),
    _scalar(
        "string-with-processing-instruction",
        b"<Comment>hello</Comment>",
        b"<Comment>hel<?pi data?>lo</Comment>",
    ),
    _scalar(
        "string-with-child-element", b"<Comment>hello</Comment>", b"<Comment>a<b>c</b>d</Comment>"
    ),
    _scalar(
        "string-starting-with-child-element",
        b"<Comment>hello</Comment>",
        b"<Comment><b>c</b>d</Comment>",
    ),
    _scalar("integer-with-child-element", b"<Quantity>2</Quantity>", b"<Quantity>2<X/></Quantity>"),
    _scalar("comment-between-elements", b"<Comment>", b"<!-- note --><Comment>"),
    _scalar(
        "comment-inside-list",
        b"<CNAME>a.example.com</CNAME>",
        b"<!-- c --><CNAME>a.example.com</CNAME>",
    ),
    _scalar("string-with-crlf", b"<Comment>hello</Comment>", b"<Comment>a\r\nb\rc</Comment>"),
    _scalar(
        "string-with-leading-and-trailing-spaces",
        b"<Comment>hello</Comment>",
        b"<Comment>  hello\t</Comment>",
    ),
    _dist(
        "doctype-internal-entity",
        b'<!DOCTYPE Distribution [<!ENTITY e "ent">]>'
        + _replace(b"<Comment>hello</Comment>", b"<Comment>&e;</Comment>").removeprefix(
            DECLARATION
        ),
    ),
    _dist(
        "root-element-of-another-name",
        _replace(b"<Distribution" + NS, b"<Other" + NS).replace(b"</Distribution>", b"</Other>"),
    ),
    _dist("empty-body", b"", check=lambda p: p["Distribution"] == {}),
    _dist("whitespace-body", b" \n", raises=ResponseParserError),
    _dist("html-body", b"<html><body><p>gateway</p></body></html>"),
    _dist("text-body", b"hello", raises=ResponseParserError),
    _dist("truncated-body", DISTRIBUTION[:-20], raises=ResponseParserError),
    _dist("two-roots", DISTRIBUTION + b"<Distribution/>", raises=ResponseParserError),
    _dist("trailing-whitespace", DISTRIBUTION + b"\n\n"),
    _dist("no-etag-header", DISTRIBUTION, headers={"content-type": "text/xml"}),
    _dist(
        "etag-header-mixed-case", DISTRIBUTION, headers={"ETag": "X", "Content-Type": "text/xml"}
    ),
    # Timestamps in every form an XML service or proxy may use.
    _timestamp(b"2024-01-02T03:04:05Z"),
    _timestamp(b"2024-01-02T03:04:05.1Z"),
    _timestamp(b"2024-01-02T03:04:05.123456789Z"),
    _timestamp(b"2024-01-02T03:04:05+02:00"),
    _timestamp(b"2024-01-02T03:04:05.5-05:30"),
    _timestamp(b"2024-01-02T03:04:05"),
    _timestamp(b"2024-01-02"),
    _timestamp(b"1704164645"),
    _timestamp(b"1704164645.678"),
    _timestamp(b"Tue, 02 Jan 2024 03:04:05 GMT"),
    _timestamp(b" 2024-01-02T03:04:05Z "),
    # Arabic-Indic digits: dateutil reads them, datetime.fromisoformat does not.
    _timestamp("\u0662\u0660\u0662\u0664-01-02T03:04:05Z".encode()),
    _timestamp(b"2024-01-02T24:00:00Z", raises=ValueError),
    _timestamp(b"2024-01-02T03:04:05.1234567Z"),
    _timestamp(b"0001-01-01T00:00:00Z"),
    _timestamp(b"yesterday", raises=ValueError),
    _timestamp(b"99999999999999999999", raises=RuntimeError),
]

#: ListDistributions with many summaries (a 1,000-item page and beyond).
_SUMMARY = (
    b"<DistributionSummary><Id>E%d</Id><ARN>arn:aws:cloudfront::123456789012:distribution/E%d</ARN>"
    b"<ETag>ETAG</ETag><Status>Deployed</Status>"
    b"<LastModifiedTime>2024-01-02T03:04:05.678Z</LastModifiedTime>"
    b"<DomainName>d%d.cloudfront.net</DomainName><Aliases><Quantity>0</Quantity></Aliases>"
    b"<Origins><Quantity>1</Quantity><Items><Origin>"
    b"<Id>o</Id><DomainName>o.example.com</DomainName>"
    b"<S3OriginConfig><OriginAccessIdentity></OriginAccessIdentity>"
    b"</S3OriginConfig></Origin></Items></Origins>"
    b"<DefaultCacheBehavior><TargetOriginId>o</TargetOriginId>"
    b"<ViewerProtocolPolicy>allow-all</ViewerProtocolPolicy>"
    b"<MinTTL>0</MinTTL></DefaultCacheBehavior><Comment>"
    b"</Comment><PriceClass>PriceClass_All</PriceClass>"
    b"<Enabled>true</Enabled><Staging>false</Staging></DistributionSummary>"
)


def _list(count: int) -> bytes:
    items = b"".join(_SUMMARY % (i, i, i) for i in range(count))
    return (
        DECLARATION + b"<DistributionList" + NS + b"><Marker></Marker><MaxItems>%d</MaxItems>"
        b"<IsTruncated>false</IsTruncated><Quantity>%d</Quantity><Items>%s</Items>"
        b"</DistributionList>" % (count, count, items)
    )


def _weight(text: bytes, **kwargs: Any) -> Case:
    body = (
        DECLARATION + b"<ContinuousDeploymentPolicy" + NS + b"><Id>p1</Id>"
        b"<LastModifiedTime>2024-01-02T03:04:05Z</LastModifiedTime>"
        b"<ContinuousDeploymentPolicyConfig><StagingDistributionDnsNames><Quantity>1</Quantity>"
        b"<Items><DnsName>d2.cloudfront.net</DnsName></Items></StagingDistributionDnsNames>"
        b"<Enabled>true</Enabled><TrafficConfig><SingleWeightConfig><Weight>" + text + b"</Weight>"
        b"</SingleWeightConfig><Type>SingleWeight</Type></TrafficConfig>"
        b"</ContinuousDeploymentPolicyConfig></ContinuousDeploymentPolicy>"
    )
    return Case(
        f"xml-weight-{text.decode()}",
        CF,
        "GetContinuousDeploymentPolicy",
        body,
        headers=HEADERS,
        **kwargs,
    )


OTHER_OPERATIONS = [
    Case(
        "xml-list-distributions-3000",
        CF,
        "ListDistributions",
        _list(3000),
        check=lambda p: len(p["DistributionList"]["Items"]) == 3000,
    ),
    Case(
        "xml-list-distributions-empty",
        CF,
        "ListDistributions",
        _list(0),
        check=lambda p: p["DistributionList"]["Items"] == [],
    ),
    Case("xml-list-distributions-pretty", CF, "ListDistributions", _pretty(_list(3))),
    _weight(
        b"0.1",
        check=lambda p: (
            p["ContinuousDeploymentPolicy"]["ContinuousDeploymentPolicyConfig"]["TrafficConfig"][
                "SingleWeightConfig"
            ]["Weight"]
            == 0.1
        ),
    ),
    _weight(b"1e-1"),
    _weight(b" 0.15 "),
    _weight(b"NaN"),
    _weight(b"inf"),
    _weight(b"-0"),
    _weight(b"0,1", raises=ValueError),
    _weight(b"", raises=ValueError),
    Case(
        "xml-test-function",
        CF,
        "TestFunction",
        DECLARATION
        + b"<TestResult"
        + NS
        + b"><FunctionSummary><Name>f</Name><Status>UNPUBLISHED</Status>"
        b"<FunctionConfig><Comment/><Runtime>cloudfront-js-2.0</Runtime></FunctionConfig>"
        b"<FunctionMetadata><FunctionARN>arn</FunctionARN><Stage>DEVELOPMENT</Stage>"
        b"<CreatedTime>2024-01-02T03:04:05Z</CreatedTime>"
        b"<LastModifiedTime>2024-01-02T03:04:05Z</LastModifiedTime>"
        b"</FunctionMetadata></FunctionSummary><ComputeUtilization>12</ComputeUtilization>"
        b"<FunctionExecutionLogs><member>line 1</member><member>"
        b"</member><member>  </member></FunctionExecutionLogs>"
        b'<FunctionErrorMessage/><FunctionOutput>{"request":{}}</FunctionOutput></TestResult>',
        headers={"content-type": "text/xml"},
        check=lambda p: p["TestResult"]["FunctionExecutionLogs"] == ["line 1", "", "  "],
    ),
    Case(
        "xml-describe-key-value-store",
        CF,
        "DescribeKeyValueStore",
        DECLARATION + b"<KeyValueStore" + NS + b"><Name>flags</Name><Id>id</Id><Comment></Comment>"
        b"<ARN>arn</ARN><Status>READY</Status>"
        b"<LastModifiedTime>2024-01-02T03:04:05.5Z</LastModifiedTime>"
        b"</KeyValueStore>",
        headers=HEADERS,
    ),
    Case(
        "xml-update-function-etag-header",
        CF,
        "UpdateFunction",
        DECLARATION + b"<FunctionSummary" + NS + b"><Name>f</Name></FunctionSummary>",
        headers={"etag": "E1", "ettag": "E2"},
    ),
    Case(
        "xml-create-invalidation-201",
        CF,
        "CreateInvalidation",
        DECLARATION + b"<Invalidation" + NS + b"><Id>I1</Id><Status>InProgress</Status>"
        b"<CreateTime>2024-01-02T03:04:05Z</CreateTime>"
        b"<InvalidationBatch><Paths><Quantity>1</Quantity>"
        b"<Items><Path>/*</Path></Items></Paths>"
        b"<CallerReference>r</CallerReference></InvalidationBatch></Invalidation>",
        status=201,
        headers={
            "location": "https://cloudfront.amazonaws.com/2020-05-31"
            "/distribution/E1/invalidation/I1"
        },
        check=lambda p: p["Location"].endswith("/I1"),
    ),
    Case(
        "xml-header-member-as-body-element",
        CF,
        "AssociateDistributionWebACL",
        DECLARATION + b"<AssociateDistributionWebACLResult" + NS + b"><Id>E1</Id>"
        b"<ETag>from-body</ETag><WebACLArn>arn</WebACLArn></AssociateDistributionWebACLResult>",
        headers={"etag": "from-header"},
        check=lambda p: p["ETag"] == "from-header",
    ),
    Case("xml-no-output-shape-204", CF, "DeleteDistribution", b"", status=204),
    # A streaming payload arrives as bytes when something read it first: botocore decodes it.
    Case(
        "xml-blob-payload-as-bytes",
        CF,
        "GetFunction",
        "function handler(e) { return e.request; } // \u00e9".encode(),
        headers={"etag": "E1", "content-type": "application/octet-stream"},
        check=lambda p: isinstance(p["FunctionCode"], str),
    ),
    Case("xml-no-output-shape-with-body", CF, "DeleteDistribution", DISTRIBUTION, status=200),
]


def _error(
    case_id: str, body: bytes, status: int, operation: str = "GetDistribution", **kwargs: Any
) -> Case:
    return Case(f"xml-error-{case_id}", CF, operation, body, status=status, **kwargs)


def _error_body(code: bytes, message: bytes = b"m", extra: bytes = b"", ns: bytes = NS) -> bytes:
    return (
        DECLARATION
        + b"<ErrorResponse"
        + ns
        + b"><Error><Type>Sender</Type><Code>"
        + code
        + b"</Code><Message>"
        + message
        + b"</Message>"
        + extra
        + b"</Error><RequestId>req-1</RequestId></ErrorResponse>"
    )


ERRORS = [
    _error(
        "modeled-404",
        _error_body(b"NoSuchDistribution", b"The specified distribution does not exist."),
        404,
        check=lambda p: (
            p["Error"]["Code"] == "NoSuchDistribution" and p["Message"].startswith("The")
        ),
    ),
    _error("modeled-412", _error_body(b"PreconditionFailed"), 412, "UpdateDistribution"),
    _error("modeled-no-namespace", _error_body(b"NoSuchDistribution", ns=b""), 404),
    _error("modeled-pretty", _pretty(_error_body(b"NoSuchDistribution")), 404),
    _error("modeled-empty-message", _error_body(b"AccessDenied", b""), 403),
    _error(
        "modeled-unknown-members",
        _error_body(b"InvalidArgument", extra=b"<Detail><X>1</X></Detail><Retry>true</Retry>"),
        400,
    ),
    _error(
        "no-request-id",
        _error_body(b"NoSuchDistribution").replace(b"<RequestId>req-1</RequestId>", b""),
        404,
    ),
    _error("unmodeled-throttling", _error_body(b"Throttling", b"Rate exceeded"), 400),
    _error("test-function-failed-500", _error_body(b"TestFunctionFailed"), 500, "TestFunction"),
    _error(
        "s3-style-root",
        DECLARATION + b"<Error><Code>NoSuchDistribution</Code><Message>m</Message>"
        b"<RequestId>r</RequestId><HostId>h</HostId></Error>",
        404,
    ),
    _error(
        "invalid-xml",
        b"<ErrorResponse><Error><Code>Oops",
        400,
        check=lambda p: p["Error"]["Code"] == "400",
    ),
    _error("empty-403", b"", 403),
    _error(
        "html-500",
        b"<html><body><b>Http/1.1 Service Unavailable</b></body></html>",
        500,
        check=lambda p: p["Error"]["Code"] == "500",
    ),
    _error("html-502-uppercase", b"<HTML><BODY>Bad Gateway</BODY></HTML>", 502),
    _error("html-503-with-doctype", b"<!DOCTYPE html><html><body>x</body></html>", 503),
    _error("xml-503", _error_body(b"ServiceUnavailable"), 503),
    _error("whitespace-504", b"  \n", 504),
    _error("text-400", b"Bad Request", 400),
    _error("json-400", b'{"message":"not xml"}', 400),
    _error("status-300", DISTRIBUTION, 300, headers=HEADERS),
    _error("streaming-operation-404", _error_body(b"NoSuchFunctionExists"), 404, "GetFunction"),
]

#: Known divergences of the fast parser: case id -> what differs.
KNOWN: dict[str, str] = {}


@pytest.mark.parametrize("case", params(STRUCTURE_FORMS + OTHER_OPERATIONS + ERRORS, KNOWN))
async def test_xml_wire_forms_parse_alike(case: Case) -> None:
    await run(case)
