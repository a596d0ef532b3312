// Drives a running cdnkit emulator with the AWS SDK for JavaScript v3 and checks that every
// reply parses, in the JS SDK, to the values expected. Run by tests/emulator/test_interop_js.py:
//   CDNKIT_ENDPOINT=http://localhost:<port> node interop.mjs
// Prints one line per check ("ok ..." / "FAIL ...") and exits 1 when any check failed.
import http from "node:http";
import dns from "node:dns";
import fs from "node:fs";
import { Readable } from "node:stream";

import * as lightsailSdk from "@aws-sdk/client-lightsail";
import * as cloudfrontSdk from "@aws-sdk/client-cloudfront";
import * as kvsSdk from "@aws-sdk/client-cloudfront-keyvaluestore";
// Registers the pure-JS SigV4A signer the data plane needs (no CRT build).
import "@aws-sdk/signature-v4a";

const endpoint = process.env.CDNKIT_ENDPOINT;
if (!endpoint) {
  console.error("set CDNKIT_ENDPOINT to the emulator's URL (http://localhost:<port>)");
  process.exit(2);
}

// The data plane's endpoint rules put the account id in front of the host
// (http://123456789012.localhost:<port>); resolve every *.localhost name to the loopback
// address, as some system resolvers do and glibc's does not.
function lookup(hostname, options, callback) {
  const name = hostname.toLowerCase();
  if (name === "localhost" || name.endsWith(".localhost")) {
    if (options && options.all) callback(null, [{ address: "127.0.0.1", family: 4 }]);
    else callback(null, "127.0.0.1", 4);
    return;
  }
  dns.lookup(hostname, options, callback);
}

const common = {
  endpoint,
  region: "us-east-1",
  credentials: {
    accessKeyId: process.env.CDNKIT_ACCESS_KEY_ID ?? "AKIAEMULATORCDNKIT01",
    secretAccessKey:
      process.env.CDNKIT_SECRET_ACCESS_KEY ?? "cdnkit-emulator-fake-secret-access-key",
  },
  maxAttempts: 1, // a retry would hide a first answer the SDK could not read
  // Options of the SDK's Node HTTP handler, given as a plain object.
  requestHandler: { httpAgent: new http.Agent({ keepAlive: true, lookup }) },
};

// With CDNKIT_JS_CAPTURE set, every reply is appended to that file as one JSON line: the raw
// status, headers and body the SDK received and what the SDK parsed them into (output or
// error). The Python test parses the same bytes with botocore and compares the two readings.
const capturePath = process.env.CDNKIT_JS_CAPTURE;
const captured = [];

function jsonable(value) {
  if (value instanceof Date) return { $date: value.getTime() };
  if (value instanceof Uint8Array) return { $bytes: Buffer.from(value).toString("base64") };
  if (Array.isArray(value)) return value.map(jsonable);
  if (value && typeof value === "object") {
    const out = {};
    for (const [key, item] of Object.entries(value)) {
      if (key === "$metadata" || key === "$response" || item === undefined) continue;
      out[key] = jsonable(item);
    }
    return out;
  }
  return value;
}

function capture(client, service) {
  if (!capturePath) return client;
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const result = await next(args);
      const response = result.response;
      const chunks = [];
      for await (const chunk of response.body) chunks.push(Buffer.from(chunk));
      const body = Buffer.concat(chunks);
      response.body = Readable.from([body]);
      context.cdnkitRaw = {
        status: response.statusCode,
        headers: response.headers,
        body: body.toString("base64"),
      };
      return result;
    },
    { step: "deserialize", priority: "low", name: "cdnkitCaptureRaw" },
  );
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const entry = { service, operation: context.commandName.replace(/Command$/, "") };
      try {
        const result = await next(args);
        captured.push({ ...entry, raw: context.cdnkitRaw, output: jsonable(result.output) });
        return result;
      } catch (error) {
        if (context.cdnkitRaw) {
          const fields = jsonable({ ...error });
          captured.push({
            ...entry,
            raw: context.cdnkitRaw,
            error: { name: error.name, message: error.message, fields },
          });
        }
        throw error;
      }
    },
    { step: "initialize", priority: "high", name: "cdnkitCaptureParsed" },
  );
  return client;
}

const lightsail = capture(new lightsailSdk.Lightsail(common), "lightsail");
const cloudfront = capture(new cloudfrontSdk.CloudFront(common), "cloudfront");
const kvs = capture(new kvsSdk.CloudFrontKeyValueStore(common), "cloudfront-keyvaluestore");

let failures = 0;
let checks = 0;

function check(label, condition, detail) {
  checks += 1;
  if (condition) {
    console.log(`ok ${label}`);
  } else {
    failures += 1;
    console.log(`FAIL ${label}: ${detail === undefined ? "" : JSON.stringify(detail)}`);
  }
}

function equal(label, actual, expected) {
  check(label, actual === expected, { actual, expected });
}

// One step: a thrown error fails the step (with what the SDK said) and the run goes on.
async function step(label, body) {
  try {
    return await body();
  } catch (error) {
    checks += 1;
    failures += 1;
    const status = error?.$metadata?.httpStatusCode;
    console.log(`FAIL ${label}: ${error?.name} (${status}): ${error?.message}`);
    return undefined;
  }
}

// An expected error: its JS class (the service's modeled exception when there is one), its
// name/code and its HTTP status.
async function expectError(label, promise, { name, status, cls }) {
  try {
    await promise;
    check(`${label} fails`, false, "no error");
  } catch (error) {
    const got = {
      name: error?.name,
      status: error?.$metadata?.httpStatusCode,
      fault: error?.$fault,
      message: error?.message,
      cls: error?.constructor?.name,
    };
    const ok =
      got.name === name &&
      got.status === status &&
      (cls === undefined || error instanceof cls) &&
      typeof got.message === "string" &&
      got.message.length > 0;
    check(`${label} -> ${name} ${status}`, ok, got);
    return error;
  }
  return undefined;
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

async function until(label, probe, { seconds = 20 } = {}) {
  const deadline = Date.now() + seconds * 1000;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${label}`);
    await sleep(100);
  }
}

const isDate = (value) => value instanceof Date && !Number.isNaN(value.getTime());

// A request id in $metadata, read from the header the SDK looks for.
function hasRequestId(label, output) {
  const id = output?.$metadata?.requestId;
  check(`${label} $metadata.requestId`, typeof id === "string" && id.length > 0, output?.$metadata);
}

// ---------------------------------------------------------------------------------------------
// Faults the test injected before starting this script: the SDK's own retry strategy must see
// them as retryable (throttling by error code, 503 by status, a reset connection by errno).

async function retriedFaults() {
  const retrying = { ...common, maxAttempts: 3 };
  const ls = capture(new lightsailSdk.Lightsail(retrying), "lightsail");
  const cf = capture(new cloudfrontSdk.CloudFront(retrying), "cloudfront");
  const kv = capture(new kvsSdk.CloudFrontKeyValueStore(retrying), "cloudfront-keyvaluestore");
  await step("faults: throttled Lightsail call retried", async () => {
    const reply = await ls.getDistributionBundles({});
    equal("faults: GetDistributionBundles attempts", reply.$metadata.attempts, 3);
  });
  await step("faults: 503 CloudFront call retried", async () => {
    const reply = await cf.listKeyValueStores({});
    equal("faults: ListKeyValueStores attempts", reply.$metadata.attempts, 2);
    // CloudFront leaves an empty list's Items out: the SDK reads it as absent.
    equal("cloudfront empty listing has no Items", reply.KeyValueStoreList.Items, undefined);
  });
  await step("faults: throttled CloudFront call retried", async () => {
    const reply = await cf.listContinuousDeploymentPolicies({});
    equal("faults: ListContinuousDeploymentPolicies attempts", reply.$metadata.attempts, 2);
  });
  await step("faults: reset connection retried", async () => {
    const reply = await ls.getOperations({});
    equal("faults: GetOperations attempts", reply.$metadata.attempts, 2);
  });
  const arn = "arn:aws:cloudfront::123456789012:key-value-store/00000000-0000-4000-8000-0000000000aa";
  const error = await expectError(
    "faults: throttled data-plane call retried, then",
    kv.listKeys({ KvsARN: arn }),
    { name: "ResourceNotFoundException", status: 404, cls: kvsSdk.ResourceNotFoundException },
  );
  equal("faults: ListKeys attempts", error?.$metadata?.attempts, 2);
  ls.destroy();
  cf.destroy();
  kv.destroy();
}

// ---------------------------------------------------------------------------------------------
// Lightsail (JSON 1.1)

async function lightsailIntents() {
  const L = lightsailSdk;
  await step("lightsail bundles", async () => {
    const { bundles } = await lightsail.getDistributionBundles({});
    const small = bundles.find((bundle) => bundle.bundleId === "small_1_0");
    check("lightsail GetDistributionBundles has small_1_0", small !== undefined, bundles);
    equal("lightsail bundle price is a number", typeof small.price, "number");
    equal("lightsail bundle isActive is a boolean", typeof small.isActive, "boolean");
  });
  await step("lightsail request id", async () => {
    hasRequestId("lightsail", await lightsail.getDistributionBundles({}));
  });

  const operationDone = (operationId) =>
    until(`operation ${operationId}`, async () => {
      const { operation } = await lightsail.getOperation({ operationId });
      return operation.status === "Succeeded" ? operation : undefined;
    });
  const deployed = (name) =>
    until(`distribution ${name} deployed`, async () => {
      const { distributions } = await lightsail.getDistributions({ distributionName: name });
      return distributions[0].status === "Deployed" ? distributions[0] : undefined;
    });

  await step("lightsail create", async () => {
    const created = await lightsail.createDistribution({
      distributionName: "js-site",
      origin: { name: "web-1", regionName: "us-east-1", protocolPolicy: "https-only" },
      defaultCacheBehavior: { behavior: "cache" },
      cacheBehaviorSettings: { defaultTTL: 3600, forwardedQueryStrings: { option: false } },
      bundleId: "small_1_0",
      ipAddressType: "dualstack",
      tags: [{ key: "team", value: "web" }],
    });
    equal("lightsail CreateDistribution name", created.distribution.name, "js-site");
    check("lightsail createdAt is a Date", isDate(created.distribution.createdAt), created);
    equal("lightsail origin name", created.distribution.origin.name, "web-1");
    equal("lightsail tags", created.distribution.tags?.[0]?.value, "web");
    equal("lightsail create operation type", created.operation.operationType, "CreateDistribution");
    const operation = await operationDone(created.operation.id);
    equal("lightsail GetOperation isTerminal", operation.isTerminal, true);
    check("lightsail GetOperation createdAt is a Date", isDate(operation.createdAt), operation);
    const site = await deployed("js-site");
    equal("lightsail GetDistributions defaultTTL", site.cacheBehaviorSettings.defaultTTL, 3600);
    equal("lightsail isEnabled", site.isEnabled, true);
  });

  await step("lightsail update", async () => {
    const { operation } = await lightsail.updateDistribution({
      distributionName: "js-site",
      isEnabled: false,
    });
    await operationDone(operation.id);
    const site = await deployed("js-site");
    equal("lightsail UpdateDistribution isEnabled", site.isEnabled, false);
    equal("lightsail update kept defaultTTL", site.cacheBehaviorSettings.defaultTTL, 3600);
  });

  await step("lightsail reset cache", async () => {
    const reset = await lightsail.resetDistributionCache({ distributionName: "js-site" });
    check("lightsail ResetDistributionCache createTime", isDate(reset.createTime), reset);
    check("lightsail reset status is a string", typeof reset.status === "string", reset);
    await operationDone(reset.operation.id);
    const latest = await lightsail.getDistributionLatestCacheReset({ distributionName: "js-site" });
    check("lightsail latest cache reset createTime", isDate(latest.createTime), latest);
  });

  await step("lightsail certificates", async () => {
    const made = await lightsail.createCertificate({
      certificateName: "js-cert",
      domainName: "www.example.com",
      subjectAlternativeNames: ["example.com"],
    });
    equal("lightsail CreateCertificate name", made.certificate.certificateName, "js-cert");
    const issued = await until("certificate issued", async () => {
      const { certificates } = await lightsail.getCertificates({
        certificateName: "js-cert",
        includeCertificateDetails: true,
      });
      return certificates[0]?.certificateDetail?.status === "ISSUED" ? certificates[0] : undefined;
    });
    equal("lightsail GetCertificates domain", issued.certificateDetail.domainName, "www.example.com");
    await deployed("js-site");
    const attached = await lightsail.attachCertificateToDistribution({
      distributionName: "js-site",
      certificateName: "js-cert",
    });
    await operationDone(attached.operation.id);
    const site = await deployed("js-site");
    equal("lightsail certificate attached", site.certificateName, "js-cert");
    const detached = await lightsail.detachCertificateFromDistribution({
      distributionName: "js-site",
    });
    await operationDone(detached.operation.id);
    await deployed("js-site");
  });

  await step("lightsail tags, bundle and metrics", async () => {
    await lightsail.tagResource({ resourceName: "js-site", tags: [{ key: "env", value: "test" }] });
    await lightsail.untagResource({ resourceName: "js-site", tagKeys: ["team"] });
    let site = await deployed("js-site");
    equal("lightsail tags after tag/untag", JSON.stringify(site.tags), '[{"key":"env","value":"test"}]');
    const bundle = await lightsail.updateDistributionBundle({
      distributionName: "js-site",
      bundleId: "medium_1_0",
    });
    await operationDone(bundle.operation.id);
    site = await deployed("js-site");
    equal("lightsail UpdateDistributionBundle", site.bundleId, "medium_1_0");
    equal("lightsail ableToUpdateBundle", site.ableToUpdateBundle, false);
    const endTime = new Date();
    const startTime = new Date(endTime.getTime() - 3600 * 1000 - 123);
    const metrics = await lightsail.getDistributionMetricData({
      distributionName: "js-site",
      metricName: "Requests",
      startTime,
      endTime,
      period: 300,
      unit: "None",
      statistics: ["Sum"],
    });
    equal("lightsail GetDistributionMetricData metricName", metrics.metricName, "Requests");
    check(
      "lightsail metric datapoints have Date timestamps",
      Array.isArray(metrics.metricData) && metrics.metricData.every((p) => isDate(p.timestamp)),
      metrics.metricData,
    );
  });

  await step("lightsail operations and pages", async () => {
    const first = await lightsail.getOperationsForResource({ resourceName: "js-site" });
    check(
      "lightsail GetOperationsForResource pages",
      first.operations.length === 3 && typeof first.nextPageToken === "string",
      first,
    );
    const second = await lightsail.getOperationsForResource({
      resourceName: "js-site",
      pageToken: first.nextPageToken,
    });
    check("lightsail GetOperationsForResource page 2", second.operations.length >= 1, second);
    // Pagination with page tokens: the test sets the emulator's page size to 2.
    for (const name of ["js-page-1", "js-page-2"]) {
      await lightsail.createDistribution({
        distributionName: name,
        origin: { name: "web-1", regionName: "us-east-1" },
        defaultCacheBehavior: { behavior: "dont-cache" },
        bundleId: "small_1_0",
      });
    }
    const names = [];
    let pageToken;
    let pages = 0;
    do {
      const page = await lightsail.getDistributions({ pageToken });
      names.push(...page.distributions.map((d) => d.name));
      pageToken = page.nextPageToken;
      pages += 1;
    } while (pageToken && pages < 10);
    equal("lightsail GetDistributions pages", names.sort().join(","), "js-page-1,js-page-2,js-site");
    check("lightsail GetDistributions took 2 pages", pages === 2, pages);
    // GetOperations pages too (the test sets that page size to 3).
    const operationIds = new Set();
    let token;
    let operationPages = 0;
    do {
      const page = await lightsail.getOperations({ pageToken: token });
      page.operations.forEach((operation) => operationIds.add(operation.id));
      token = page.nextPageToken;
      operationPages += 1;
    } while (token && operationPages < 50);
    check("lightsail GetOperations paged", operationPages > 1 && operationIds.size > 3, {
      operationPages,
      count: operationIds.size,
    });
  });

  await expectError(
    "lightsail GetDistributions unknown name",
    lightsail.getDistributions({ distributionName: "nope" }),
    { name: "InvalidInputException", status: 400, cls: L.InvalidInputException },
  );
  await expectError(
    "lightsail GetOperation unknown id",
    lightsail.getOperation({ operationId: "00000000-0000-4000-8000-000000000000" }),
    { name: "NotFoundException", status: 400, cls: L.NotFoundException },
  ).then((error) => hasRequestId("lightsail error", error));
  await expectError(
    "lightsail CreateDistribution without origin",
    lightsail.createDistribution({
      distributionName: "bad",
      defaultCacheBehavior: { behavior: "cache" },
      bundleId: "small_1_0",
    }),
    { name: "InvalidInputException", status: 400, cls: L.InvalidInputException },
  );

  await step("lightsail delete", async () => {
    await deployed("js-site");
    const { operation } = await lightsail.deleteDistribution({ distributionName: "js-site" });
    await operationDone(operation.id);
    await expectError(
      "lightsail deleted distribution",
      lightsail.getDistributions({ distributionName: "js-site" }),
      { name: "InvalidInputException", status: 400 },
    );
  });
}

// ---------------------------------------------------------------------------------------------
// CloudFront (REST-XML)

function distributionConfig(reference, comment = "js site") {
  return {
    CallerReference: reference,
    Comment: comment,
    Enabled: true,
    Origins: {
      Quantity: 1,
      Items: [
        {
          Id: "web",
          DomainName: "origin.example.com",
          CustomOriginConfig: {
            HTTPPort: 80,
            HTTPSPort: 443,
            OriginProtocolPolicy: "https-only",
          },
        },
      ],
    },
    DefaultCacheBehavior: {
      TargetOriginId: "web",
      ViewerProtocolPolicy: "redirect-to-https",
      CachePolicyId: "658327ea-f89d-4fab-a63d-7e88639e58f6",
    },
  };
}

const FUNCTION_CODE = `import cf from 'cloudfront';
const kvs = cf.kvs();
async function handler(event) {
  const beta = await kvs.get('beta');
  console.log('beta is ' + beta);
  event.request.headers['x-beta'] = { value: beta };
  return event.request;
}
`;

const TEST_EVENT = JSON.stringify({
  version: "1.0",
  context: { eventType: "viewer-request" },
  viewer: { ip: "198.51.100.7" },
  request: { method: "GET", uri: "/index.html", headers: {}, cookies: {}, querystring: {} },
});

async function cloudfrontIntents() {
  const C = cloudfrontSdk;
  const ids = {};

  await step("cloudfront distributions", async () => {
    const created = await cloudfront.createDistribution({
      DistributionConfig: distributionConfig("js-ref-1"),
    });
    ids.primary = created.Distribution.Id;
    equal("cloudfront CreateDistribution status", created.$metadata.httpStatusCode, 201);
    hasRequestId("cloudfront", created);
    check("cloudfront CreateDistribution ETag", typeof created.ETag === "string", created.ETag);
    check("cloudfront CreateDistribution Location", created.Location?.includes(ids.primary), created.Location);
    equal("cloudfront Origins Quantity", created.Distribution.DistributionConfig.Origins.Quantity, 1);
    equal("cloudfront Enabled", created.Distribution.DistributionConfig.Enabled, true);
    check("cloudfront LastModifiedTime", isDate(created.Distribution.LastModifiedTime), created);
    equal(
      "cloudfront origin HTTPSPort",
      created.Distribution.DistributionConfig.Origins.Items[0].CustomOriginConfig.HTTPSPort,
      443,
    );
    const got = await cloudfront.getDistribution({ Id: ids.primary });
    equal("cloudfront GetDistribution Comment", got.Distribution.DistributionConfig.Comment, "js site");
    const config = await cloudfront.getDistributionConfig({ Id: ids.primary });
    equal("cloudfront GetDistributionConfig ETag", config.ETag, got.ETag);
    const changed = { ...config.DistributionConfig, Comment: "js changed" };
    const updated = await cloudfront.updateDistribution({
      Id: ids.primary,
      IfMatch: config.ETag,
      DistributionConfig: changed,
    });
    equal("cloudfront UpdateDistribution Comment", updated.Distribution.DistributionConfig.Comment, "js changed");
    check("cloudfront UpdateDistribution new ETag", updated.ETag !== config.ETag, updated.ETag);
    await expectError(
      "cloudfront UpdateDistribution stale ETag",
      cloudfront.updateDistribution({ Id: ids.primary, IfMatch: config.ETag, DistributionConfig: changed }),
      { name: "PreconditionFailed", status: 412, cls: C.PreconditionFailed },
    );
    ids.primaryEtag = updated.ETag;
  });

  await expectError(
    "cloudfront GetDistribution unknown id",
    cloudfront.getDistribution({ Id: "E000000000000" }),
    { name: "NoSuchDistribution", status: 404, cls: C.NoSuchDistribution },
  ).then((error) => hasRequestId("cloudfront error", error));
  await expectError(
    "cloudfront CreateDistribution Quantity mismatch",
    cloudfront.createDistribution({
      DistributionConfig: {
        ...distributionConfig("js-ref-bad"),
        Origins: { Quantity: 2, Items: distributionConfig("x").Origins.Items },
      },
    }),
    { name: "InconsistentQuantities", status: 400, cls: C.InconsistentQuantities },
  );
  await expectError(
    "cloudfront CreateDistribution comment too long",
    cloudfront.createDistribution({
      DistributionConfig: distributionConfig("js-ref-long", "x".repeat(129)),
    }),
    { name: "InvalidArgument", status: 400, cls: C.InvalidArgument },
  );

  await step("cloudfront list distributions with markers", async () => {
    await cloudfront.createDistribution({ DistributionConfig: distributionConfig("js-ref-2") });
    // Empty wrappers as the JS SDK writes them: <Aliases><Quantity>0</Quantity><Items/>...
    const empty = await cloudfront.createDistribution({
      DistributionConfig: {
        ...distributionConfig("js-ref-3"),
        Aliases: { Quantity: 0, Items: [] },
        CustomErrorResponses: { Quantity: 0 },
      },
    });
    equal("cloudfront empty Aliases", empty.Distribution.DistributionConfig.Aliases.Quantity, 0);
    equal("cloudfront empty Aliases Items", empty.Distribution.DistributionConfig.Aliases.Items, undefined);
    const seen = [];
    let Marker;
    let pages = 0;
    do {
      const { DistributionList } = await cloudfront.listDistributions({ Marker, MaxItems: 2 });
      equal(`cloudfront ListDistributions MaxItems page ${pages}`, DistributionList.MaxItems, 2);
      seen.push(...(DistributionList.Items ?? []).map((item) => item.Id));
      check(
        `cloudfront ListDistributions IsTruncated page ${pages}`,
        DistributionList.IsTruncated === (DistributionList.NextMarker !== undefined),
        DistributionList,
      );
      Marker = DistributionList.NextMarker;
      pages += 1;
    } while (Marker && pages < 10);
    equal("cloudfront ListDistributions saw all", seen.length, 3);
    equal("cloudfront ListDistributions pages", pages, 2);
    // The SDK's own paginator (Marker in, NextMarker out).
    const viaPaginator = [];
    for await (const page of cloudfrontSdk.paginateListDistributions(
      { client: cloudfront, pageSize: 1 },
      {},
    )) {
      viaPaginator.push(...(page.DistributionList.Items ?? []).map((item) => item.Id));
    }
    equal("cloudfront paginateListDistributions", viaPaginator.join(","), seen.join(","));
  });

  await step("cloudfront invalidations", async () => {
    const made = await cloudfront.createInvalidation({
      DistributionId: ids.primary,
      InvalidationBatch: {
        CallerReference: "js-inv-1",
        Paths: { Quantity: 2, Items: ["/index.html", "/img/*"] },
      },
    });
    check("cloudfront CreateInvalidation Location", typeof made.Location === "string", made);
    equal("cloudfront invalidation paths", made.Invalidation.InvalidationBatch.Paths.Items[1], "/img/*");
    check("cloudfront invalidation CreateTime", isDate(made.Invalidation.CreateTime), made);
    const again = await cloudfront.createInvalidation({
      DistributionId: ids.primary,
      InvalidationBatch: {
        CallerReference: "js-inv-1",
        Paths: { Quantity: 2, Items: ["/index.html", "/img/*"] },
      },
    });
    equal("cloudfront CreateInvalidation same CallerReference", again.Invalidation.Id, made.Invalidation.Id);
    const waited = await cloudfrontSdk.waitUntilInvalidationCompleted(
      { client: cloudfront, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { DistributionId: ids.primary, Id: made.Invalidation.Id },
    );
    equal("cloudfront waitUntilInvalidationCompleted", waited.state, "SUCCESS");
    const done = await until("invalidation completed", async () => {
      const { Invalidation } = await cloudfront.getInvalidation({
        DistributionId: ids.primary,
        Id: made.Invalidation.Id,
      });
      return Invalidation.Status === "Completed" ? Invalidation : undefined;
    });
    equal("cloudfront GetInvalidation Id", done.Id, made.Invalidation.Id);
    const { InvalidationList } = await cloudfront.listInvalidations({ DistributionId: ids.primary });
    equal("cloudfront ListInvalidations Quantity", InvalidationList.Quantity, 1);
    equal("cloudfront ListInvalidations Items", InvalidationList.Items?.[0]?.Id, made.Invalidation.Id);
  });

  await step("cloudfront continuous deployment", async () => {
    const waited = await cloudfrontSdk.waitUntilDistributionDeployed(
      { client: cloudfront, maxWaitTime: 30, minDelay: 1, maxDelay: 1 },
      { Id: ids.primary },
    );
    equal("cloudfront waitUntilDistributionDeployed", waited.state, "SUCCESS");
    const primary = await cloudfront.getDistribution({ Id: ids.primary });
    const copied = await cloudfront.copyDistribution({
      PrimaryDistributionId: ids.primary,
      CallerReference: "js-staging-1",
      Staging: true,
      IfMatch: primary.ETag,
    });
    ids.staging = copied.Distribution.Id;
    equal("cloudfront CopyDistribution Staging", copied.Distribution.DistributionConfig.Staging, true);
    const policy = await cloudfront.createContinuousDeploymentPolicy({
      ContinuousDeploymentPolicyConfig: {
        StagingDistributionDnsNames: { Quantity: 1, Items: [copied.Distribution.DomainName] },
        Enabled: true,
        TrafficConfig: {
          Type: "SingleWeight",
          SingleWeightConfig: {
            Weight: 0.05,
            SessionStickinessConfig: { IdleTTL: 300, MaximumTTL: 600 },
          },
        },
      },
    });
    ids.policy = policy.ContinuousDeploymentPolicy.Id;
    const weight =
      policy.ContinuousDeploymentPolicy.ContinuousDeploymentPolicyConfig.TrafficConfig
        .SingleWeightConfig;
    equal("cloudfront policy Weight is a number", weight.Weight, 0.05);
    equal("cloudfront policy IdleTTL", weight.SessionStickinessConfig.IdleTTL, 300);
    const got = await cloudfront.getContinuousDeploymentPolicy({ Id: ids.policy });
    equal("cloudfront GetContinuousDeploymentPolicy ETag", got.ETag, policy.ETag);
    const config = await cloudfront.getContinuousDeploymentPolicyConfig({ Id: ids.policy });
    const updatedConfig = structuredClone(config.ContinuousDeploymentPolicyConfig);
    updatedConfig.TrafficConfig.SingleWeightConfig.Weight = 0.1;
    const updated = await cloudfront.updateContinuousDeploymentPolicy({
      Id: ids.policy,
      IfMatch: config.ETag,
      ContinuousDeploymentPolicyConfig: updatedConfig,
    });
    equal(
      "cloudfront UpdateContinuousDeploymentPolicy Weight",
      updated.ContinuousDeploymentPolicy.ContinuousDeploymentPolicyConfig.TrafficConfig
        .SingleWeightConfig.Weight,
      0.1,
    );
    await expectError(
      "cloudfront policy weight 0.5",
      cloudfront.updateContinuousDeploymentPolicy({
        Id: ids.policy,
        IfMatch: updated.ETag,
        ContinuousDeploymentPolicyConfig: {
          ...updatedConfig,
          TrafficConfig: {
            Type: "SingleWeight",
            SingleWeightConfig: { Weight: 0.5 },
          },
        },
      }),
      { name: "InvalidArgument", status: 400, cls: C.InvalidArgument },
    );
    const { ContinuousDeploymentPolicyList: list } =
      await cloudfront.listContinuousDeploymentPolicies({ MaxItems: 10 });
    equal("cloudfront ListContinuousDeploymentPolicies Quantity", list.Quantity, 1);
    equal(
      "cloudfront ListContinuousDeploymentPolicies Id",
      list.Items?.[0]?.ContinuousDeploymentPolicy?.Id,
      ids.policy,
    );

    // Attach the policy to the primary, then promote the staging config.
    const primaryConfig = await cloudfront.getDistributionConfig({ Id: ids.primary });
    const attached = await cloudfront.updateDistribution({
      Id: ids.primary,
      IfMatch: primaryConfig.ETag,
      DistributionConfig: {
        ...primaryConfig.DistributionConfig,
        ContinuousDeploymentPolicyId: ids.policy,
      },
    });
    equal(
      "cloudfront policy attached",
      attached.Distribution.DistributionConfig.ContinuousDeploymentPolicyId,
      ids.policy,
    );
    const stagingConfig = await cloudfront.getDistributionConfig({ Id: ids.staging });
    const stagingUpdated = await cloudfront.updateDistribution({
      Id: ids.staging,
      IfMatch: stagingConfig.ETag,
      DistributionConfig: { ...stagingConfig.DistributionConfig, Comment: "staged" },
    });
    const promoted = await cloudfront.updateDistributionWithStagingConfig({
      Id: ids.primary,
      StagingDistributionId: ids.staging,
      IfMatch: `${attached.ETag}, ${stagingUpdated.ETag}`,
    });
    equal("cloudfront promoted Comment", promoted.Distribution.DistributionConfig.Comment, "staged");
    equal(
      "cloudfront promotion keeps the policy id",
      promoted.Distribution.DistributionConfig.ContinuousDeploymentPolicyId,
      ids.policy,
    );
    const after = await cloudfront.getContinuousDeploymentPolicy({ Id: ids.policy });
    equal(
      "cloudfront promotion disables the policy",
      after.ContinuousDeploymentPolicy.ContinuousDeploymentPolicyConfig.Enabled,
      false,
    );

    // Teardown: detach, delete the policy, disable and delete the staging distribution.
    await until("primary deployed", async () => {
      const { Distribution } = await cloudfront.getDistribution({ Id: ids.primary });
      return Distribution.Status === "Deployed";
    });
    const current = await cloudfront.getDistributionConfig({ Id: ids.primary });
    const { ContinuousDeploymentPolicyId: _dropped, ...detachedConfig } = current.DistributionConfig;
    await cloudfront.updateDistribution({
      Id: ids.primary,
      IfMatch: current.ETag,
      DistributionConfig: { ...detachedConfig, ContinuousDeploymentPolicyId: "" },
    });
    await until("primary deployed", async () => {
      const { Distribution } = await cloudfront.getDistribution({ Id: ids.primary });
      return Distribution.Status === "Deployed";
    });
    const policyNow = await cloudfront.getContinuousDeploymentPolicy({ Id: ids.policy });
    await expectError(
      "cloudfront DeleteContinuousDeploymentPolicy stale ETag",
      cloudfront.deleteContinuousDeploymentPolicy({ Id: ids.policy, IfMatch: policy.ETag }),
      { name: "PreconditionFailed", status: 412, cls: C.PreconditionFailed },
    );
    await cloudfront.deleteContinuousDeploymentPolicy({ Id: ids.policy, IfMatch: policyNow.ETag });
    await expectError(
      "cloudfront deleted policy",
      cloudfront.getContinuousDeploymentPolicy({ Id: ids.policy }),
      { name: "NoSuchContinuousDeploymentPolicy", status: 404, cls: C.NoSuchContinuousDeploymentPolicy },
    );
  });

  await step("cloudfront delete distribution", async () => {
    const id = ids.staging;
    const config = await cloudfront.getDistributionConfig({ Id: id });
    await expectError(
      "cloudfront DeleteDistribution while enabled",
      cloudfront.deleteDistribution({ Id: id, IfMatch: config.ETag }),
      { name: "DistributionNotDisabled", status: 409, cls: C.DistributionNotDisabled },
    );
    await cloudfront.updateDistribution({
      Id: id,
      IfMatch: config.ETag,
      DistributionConfig: { ...config.DistributionConfig, Enabled: false },
    });
    const disabled = await until("staging disabled and deployed", async () => {
      const got = await cloudfront.getDistribution({ Id: id });
      return got.Distribution.Status === "Deployed" ? got : undefined;
    });
    await cloudfront.deleteDistribution({ Id: id, IfMatch: disabled.ETag });
    await expectError("cloudfront deleted distribution", cloudfront.getDistribution({ Id: id }), {
      name: "NoSuchDistribution",
      status: 404,
    });
  });

  return ids;
}

// ---------------------------------------------------------------------------------------------
// KeyValueStores (control plane), functions, and the data plane (REST-JSON, SigV4A)

async function storesFunctionsAndKeys() {
  const C = cloudfrontSdk;
  const K = kvsSdk;
  let arn;

  await step("cloudfront key value stores", async () => {
    const created = await cloudfront.createKeyValueStore({ Name: "js-flags", Comment: "flags" });
    arn = created.KeyValueStore.ARN;
    check("cloudfront CreateKeyValueStore ARN", arn.startsWith("arn:aws:cloudfront::"), arn);
    check("cloudfront CreateKeyValueStore ETag", typeof created.ETag === "string", created);
    check("cloudfront CreateKeyValueStore Location", typeof created.Location === "string", created);
    const ready = await until("store ready", async () => {
      const got = await cloudfront.describeKeyValueStore({ Name: "js-flags" });
      return got.KeyValueStore.Status === "READY" ? got : undefined;
    });
    equal("cloudfront DescribeKeyValueStore Comment", ready.KeyValueStore.Comment, "flags");
    check("cloudfront store LastModifiedTime", isDate(ready.KeyValueStore.LastModifiedTime), ready);
    await cloudfront.createKeyValueStore({ Name: "js-other" });
    const names = [];
    let NextMarker;
    let pages = 0;
    do {
      const { KeyValueStoreList } = await cloudfront.listKeyValueStores({
        Marker: NextMarker,
        MaxItems: 1,
      });
      names.push(...(KeyValueStoreList.Items ?? []).map((store) => store.Name));
      NextMarker = KeyValueStoreList.NextMarker;
      pages += 1;
    } while (NextMarker && pages < 10);
    equal("cloudfront ListKeyValueStores pages", names.sort().join(","), "js-flags,js-other");
    await expectError(
      "cloudfront CreateKeyValueStore duplicate",
      cloudfront.createKeyValueStore({ Name: "js-flags" }),
      { name: "EntityAlreadyExists", status: 409, cls: C.EntityAlreadyExists },
    );
    await expectError(
      "cloudfront CreateKeyValueStore bad name",
      cloudfront.createKeyValueStore({ Name: "bad name!" }),
      { name: "InvalidArgument", status: 400, cls: C.InvalidArgument },
    );
    const other = await until("other ready", async () => {
      const got = await cloudfront.describeKeyValueStore({ Name: "js-other" });
      return got.KeyValueStore.Status === "READY" ? got : undefined;
    });
    await cloudfront.deleteKeyValueStore({ Name: "js-other", IfMatch: other.ETag });
    await expectError(
      "cloudfront deleted store",
      cloudfront.describeKeyValueStore({ Name: "js-other" }),
      { name: "EntityNotFound", status: 404, cls: C.EntityNotFound },
    );
  });

  await step("kvs data plane", async () => {
    const described = await kvs.describeKeyValueStore({ KvsARN: arn });
    hasRequestId("kvs", described);
    equal("kvs DescribeKeyValueStore ItemCount", described.ItemCount, 0);
    check("kvs DescribeKeyValueStore Created", isDate(described.Created), described);
    let etag = described.ETag;
    const put = await kvs.putKey({ KvsARN: arn, Key: "beta", Value: "on", IfMatch: etag });
    equal("kvs PutKey ItemCount", put.ItemCount, 1);
    check("kvs PutKey new ETag", put.ETag && put.ETag !== etag, put);
    etag = put.ETag;
    const got = await kvs.getKey({ KvsARN: arn, Key: "beta" });
    equal("kvs GetKey Value", got.Value, "on");
    equal("kvs GetKey ItemCount", got.ItemCount, 1);
    const updated = await kvs.updateKeys({
      KvsARN: arn,
      IfMatch: etag,
      Puts: [
        { Key: "k1", Value: "v1" },
        { Key: "k2", Value: "v2" },
        { Key: "k3", Value: "v3" },
      ],
    });
    equal("kvs UpdateKeys ItemCount", updated.ItemCount, 4);
    etag = updated.ETag;
    const keys = [];
    let NextToken;
    let pages = 0;
    do {
      const page = await kvs.listKeys({ KvsARN: arn, MaxResults: 3, NextToken });
      keys.push(...page.Items.map((item) => `${item.Key}=${item.Value}`));
      NextToken = page.NextToken;
      pages += 1;
    } while (NextToken && pages < 10);
    equal("kvs ListKeys pages", pages, 2);
    equal("kvs ListKeys items", keys.join(","), "beta=on,k1=v1,k2=v2,k3=v3");
    const deleted = await kvs.deleteKey({ KvsARN: arn, Key: "k3", IfMatch: etag });
    equal("kvs DeleteKey ItemCount", deleted.ItemCount, 3);
    const mixed = await kvs.updateKeys({
      KvsARN: arn,
      IfMatch: deleted.ETag,
      Puts: [{ Key: "k4", Value: "v4" }],
      Deletes: [{ Key: "k1" }, { Key: "k2" }],
    });
    equal("kvs UpdateKeys Puts and Deletes", mixed.ItemCount, 2);
    check("kvs UpdateKeys TotalSizeInBytes", typeof mixed.TotalSizeInBytes === "number", mixed);
    etag = mixed.ETag;
    await expectError(
      "kvs PutKey stale ETag",
      kvs.putKey({ KvsARN: arn, Key: "beta", Value: "off", IfMatch: deleted.ETag }),
      { name: "ValidationException", status: 400, cls: K.ValidationException },
    );
    await expectError(
      "kvs GetKey missing key",
      kvs.getKey({ KvsARN: arn, Key: "nope" }),
      { name: "ResourceNotFoundException", status: 404, cls: K.ResourceNotFoundException },
    );
    await expectError(
      "kvs ListKeys MaxResults 51",
      kvs.listKeys({ KvsARN: arn, MaxResults: 51 }),
      { name: "ValidationException", status: 400, cls: K.ValidationException },
    );
    const storeError = await expectError(
      "kvs DeleteKey missing key",
      kvs.deleteKey({ KvsARN: arn, Key: "nope", IfMatch: etag }),
      { name: "ResourceNotFoundException", status: 404, cls: K.ResourceNotFoundException },
    );
    hasRequestId("kvs error", storeError);
    const unknownArn = arn.replace(/key-value-store\/.*/, "key-value-store/00000000-0000-4000-8000-00000000ffff");
    await expectError(
      "kvs DescribeKeyValueStore unknown store",
      kvs.describeKeyValueStore({ KvsARN: unknownArn }),
      { name: "ResourceNotFoundException", status: 404, cls: K.ResourceNotFoundException },
    );
  });

  await step("kvs keys with reserved and non-ASCII characters", async () => {
    const { ETag } = await kvs.describeKeyValueStore({ KvsARN: arn });
    const awkward = ["a/b", "sp ace", "plus+sign", "per%25cent", "q?x=1&y", "ключ", "emoji-😀", "..", "a//b"];
    let etag = ETag;
    for (const key of awkward) {
      const put = await kvs.putKey({ KvsARN: arn, Key: key, Value: `v:${key}:é`, IfMatch: etag });
      etag = put.ETag;
    }
    for (const key of awkward) {
      const got = await step(`kvs GetKey ${JSON.stringify(key)}`, () => kvs.getKey({ KvsARN: arn, Key: key }));
      equal(`kvs GetKey ${JSON.stringify(key)} round trip`, got?.Key, key);
      equal(`kvs GetKey ${JSON.stringify(key)} value`, got?.Value, `v:${key}:é`);
    }
    const listed = [];
    let NextToken;
    do {
      const page = await kvs.listKeys({ KvsARN: arn, NextToken, MaxResults: 50 });
      listed.push(...page.Items.map((item) => item.Key));
      NextToken = page.NextToken;
    } while (NextToken);
    for (const key of awkward) check(`kvs ListKeys has ${JSON.stringify(key)}`, listed.includes(key), listed);
    const removed = await kvs.updateKeys({
      KvsARN: arn,
      IfMatch: etag,
      Deletes: awkward.map((Key) => ({ Key })),
    });
    equal("kvs UpdateKeys deleted the awkward keys", removed.ItemCount, 2);
  });

  await step("cloudfront text that XML writers escape", async () => {
    const comment = "  a & b <c> \"d\" 'e'\r\nline\ttab é ";
    const store = await cloudfront.createKeyValueStore({ Name: "js-text", Comment: comment });
    equal("cloudfront CreateKeyValueStore Comment round trip", store.KeyValueStore.Comment, comment);
    const got = await cloudfront.describeKeyValueStore({ Name: "js-text" });
    equal("cloudfront DescribeKeyValueStore Comment round trip", got.KeyValueStore.Comment, comment);
    const empty = await cloudfront.createKeyValueStore({ Name: "js-empty", Comment: "" });
    equal("cloudfront empty Comment", empty.KeyValueStore.Comment, "");
  });

  await step("kvs data plane without the account prefix", async () => {
    // The other recipe: a client on the default resolver that drops the <account>. label the
    // endpoint rules add, before the request is signed (docs/testing.md).
    const plain = new kvsSdk.CloudFrontKeyValueStore({ ...common, requestHandler: undefined });
    plain.middlewareStack.add(
      (next) => async (args) => {
        const request = args.request;
        const dropped = request.hostname.replace(/^\d{12}\./, "");
        if (dropped !== request.hostname) {
          request.hostname = dropped;
          if (request.headers.host) request.headers.host = request.headers.host.replace(/^\d{12}\./, "");
        }
        return next(args);
      },
      { step: "finalizeRequest", priority: "high", name: "dropAccountPrefix" },
    );
    const got = await plain.getKey({ KvsARN: arn, Key: "beta" });
    equal("kvs GetKey without the account prefix", got.Value, "on");
    plain.destroy();
  });

  await step("cloudfront functions", async () => {
    const code = new TextEncoder().encode(FUNCTION_CODE);
    const created = await cloudfront.createFunction({
      Name: "js-router",
      FunctionConfig: {
        Comment: "router",
        Runtime: "cloudfront-js-2.0",
        KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: arn }] },
      },
      FunctionCode: code,
    });
    const summary = created.FunctionSummary;
    equal("cloudfront CreateFunction Name", summary.Name, "js-router");
    equal("cloudfront CreateFunction Stage", summary.FunctionMetadata.Stage, "DEVELOPMENT");
    equal(
      "cloudfront CreateFunction KVS association",
      summary.FunctionConfig.KeyValueStoreAssociations?.Items?.[0]?.KeyValueStoreARN,
      arn,
    );
    check("cloudfront CreateFunction ETag", typeof created.ETag === "string", created);
    const described = await cloudfront.describeFunction({ Name: "js-router" });
    equal("cloudfront DescribeFunction ETag", described.ETag, created.ETag);
    const source = await cloudfront.getFunction({ Name: "js-router" });
    equal("cloudfront GetFunction code", new TextDecoder().decode(source.FunctionCode), FUNCTION_CODE);
    check("cloudfront GetFunction ContentType", typeof source.ContentType === "string", source);
    const tested = await cloudfront.testFunction({
      Name: "js-router",
      IfMatch: created.ETag,
      Stage: "DEVELOPMENT",
      EventObject: new TextEncoder().encode(TEST_EVENT),
    });
    const result = tested.TestResult;
    check("cloudfront TestFunction no error", !result.FunctionErrorMessage, result);
    const output = JSON.parse(result.FunctionOutput ?? "{}");
    equal("cloudfront TestFunction read the store", output.request?.headers?.["x-beta"]?.value, "on");
    equal("cloudfront TestFunction logs", result.FunctionExecutionLogs?.[0], "beta is on");
    check("cloudfront TestFunction ComputeUtilization", typeof result.ComputeUtilization === "string", result);
    const updated = await cloudfront.updateFunction({
      Name: "js-router",
      IfMatch: created.ETag,
      FunctionConfig: {
        Comment: "router v2",
        Runtime: "cloudfront-js-2.0",
        KeyValueStoreAssociations: { Quantity: 1, Items: [{ KeyValueStoreARN: arn }] },
      },
      FunctionCode: code,
    });
    // The model names this header ETtag; the service (and the emulator) send ETag.
    console.log(`info UpdateFunction ETag as the JS SDK reads it: ${JSON.stringify(updated.ETag)}`);
    check("cloudfront UpdateFunction summary", updated.FunctionSummary?.FunctionConfig?.Comment === "router v2", updated);
    const current = await cloudfront.describeFunction({ Name: "js-router" });
    check("cloudfront UpdateFunction changed the ETag", current.ETag !== created.ETag, current.ETag);
    await expectError(
      "cloudfront PublishFunction stale ETag",
      cloudfront.publishFunction({ Name: "js-router", IfMatch: created.ETag }),
      { name: "PreconditionFailed", status: 412, cls: C.PreconditionFailed },
    );
    const published = await cloudfront.publishFunction({ Name: "js-router", IfMatch: current.ETag });
    equal("cloudfront PublishFunction Stage", published.FunctionSummary.FunctionMetadata.Stage, "LIVE");
    const { FunctionList } = await cloudfront.listFunctions({ Stage: "LIVE" });
    equal("cloudfront ListFunctions LIVE", FunctionList.Items?.[0]?.Name, "js-router");
    await expectError(
      "cloudfront DescribeFunction unknown",
      cloudfront.describeFunction({ Name: "js-nope" }),
      { name: "NoSuchFunctionExists", status: 404, cls: C.NoSuchFunctionExists },
    );
    await expectError(
      "cloudfront CreateFunction bad runtime",
      cloudfront.createFunction({
        Name: "js-bad",
        FunctionConfig: { Comment: "", Runtime: "cloudfront-js-9.0" },
        FunctionCode: code,
      }),
      { name: "InvalidArgument", status: 400, cls: C.InvalidArgument },
    );
    const liveCode = await cloudfront.getFunction({ Name: "js-router", Stage: "LIVE" });
    equal("cloudfront GetFunction LIVE", new TextDecoder().decode(liveCode.FunctionCode), FUNCTION_CODE);
    await expectError(
      "cloudfront CreateFunction over the size quota",
      cloudfront.createFunction({
        Name: "js-big",
        FunctionConfig: { Comment: "", Runtime: "cloudfront-js-2.0" },
        FunctionCode: new TextEncoder().encode(`// ${"x".repeat(12 * 1024)}\nfunction handler(e) { return e.request; }`),
      }),
      { name: "FunctionSizeLimitExceeded", status: 413, cls: C.FunctionSizeLimitExceeded },
    );
    const failing = await cloudfront.createFunction({
      Name: "js-throws",
      FunctionConfig: { Comment: "", Runtime: "cloudfront-js-2.0" },
      FunctionCode: new TextEncoder().encode("function handler(event) { throw new TypeError('nope é'); }"),
    });
    const thrown = await cloudfront.testFunction({
      Name: "js-throws",
      IfMatch: failing.ETag,
      EventObject: new TextEncoder().encode(TEST_EVENT),
    });
    check(
      "cloudfront TestFunction error message",
      thrown.TestResult.FunctionErrorMessage?.includes("TypeError: nope é"),
      thrown.TestResult,
    );
    await cloudfront.deleteFunction({ Name: "js-throws", IfMatch: failing.ETag });
    const live = await cloudfront.describeFunction({ Name: "js-router", Stage: "DEVELOPMENT" });
    await cloudfront.deleteFunction({ Name: "js-router", IfMatch: live.ETag });
    await expectError(
      "cloudfront deleted function",
      cloudfront.describeFunction({ Name: "js-router" }),
      { name: "NoSuchFunctionExists", status: 404 },
    );
  });

  await step("cloudfront update and delete key value store", async () => {
    const before = await cloudfront.describeKeyValueStore({ Name: "js-flags" });
    const changed = await cloudfront.updateKeyValueStore({
      Name: "js-flags",
      Comment: "flags v2",
      IfMatch: before.ETag,
    });
    equal("cloudfront UpdateKeyValueStore Comment", changed.KeyValueStore.Comment, "flags v2");
    const store = await cloudfront.describeKeyValueStore({ Name: "js-flags" });
    equal("cloudfront UpdateKeyValueStore ETag", store.ETag, changed.ETag);
    await expectError(
      "cloudfront DeleteKeyValueStore stale ETag",
      cloudfront.deleteKeyValueStore({ Name: "js-flags", IfMatch: "E0000000000000" }),
      { name: "PreconditionFailed", status: 412, cls: C.PreconditionFailed },
    );
    await cloudfront.deleteKeyValueStore({ Name: "js-flags", IfMatch: store.ETag });
  });
}

await retriedFaults();
await lightsailIntents();
await cloudfrontIntents();
await storesFunctionsAndKeys();
if (capturePath) {
  fs.writeFileSync(capturePath, captured.map((entry) => JSON.stringify(entry)).join("\n") + "\n");
}
console.log(`${checks} checks, ${failures} failed`);
process.exit(failures === 0 ? 0 : 1);
