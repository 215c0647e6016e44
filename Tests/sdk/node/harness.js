'use strict'
// Shared support for the k2-connect-node suite: the k2mock binary started through k2mock's Node
// kit (clients/node) on port 0, its admin API, the kit's callback/webhook receiver that keeps every
// POST's raw bytes and headers,
// Express-like stand-ins for Webhooks.webhookHandler, and a watch on Node warnings.
//
// The SDK is loaded from $REPO/.build/sdks (run.sh puts its node_modules on NODE_PATH); nothing
// of it is copied here.

const path = require('node:path')
const assert = require('node:assert/strict')

const HERE = __dirname
const REPO = path.resolve(HERE, '..', '..', '..')
const BINARY = process.env.K2MOCK_BIN || path.join(REPO, '.build', 'debug', 'k2mock')
const SDK_DIR = path.join(REPO, '.build', 'sdks', 'k2-connect-node')
const SCENARIO = path.join(HERE, 'scenario.yaml')
const { K2Mock, CallbackReceiver } = require(path.join(REPO, 'clients', 'node'))

// The scenario's client (scenario.yaml) and the default scenario's.
const CREDENTIALS = { clientId: 'node-client', clientSecret: 'node-secret', apiKey: 'node-api-key' }
const DEFAULT_CREDENTIALS = {
  clientId: 'sandbox_client_id', clientSecret: 'sandbox_client_secret', apiKey: 'sandbox_api_key'
}
const PREISSUED_TOKEN = 'node-preissued-token'
const DOCS_RECIPIENT = 'c7f300c0-f1ef-4151-9bbe-005005aa3747'

// ---------------------------------------------------------------------------------------------
// Warnings count as failures: every file ends with
// `test(h.NO_WARNINGS, h.noWarnings)`. (run.sh does not pass --pending-deprecation: under it
// Debian's axios 1.2.1 warns DEP0169 for its own url.parse() in proxy-from-env, which is no key
// the SDK reads.)
const warnings = []
process.on('warning', (warning) => { warnings.push(warning) })
const NO_WARNINGS = 'no Node warnings (deprecations, missing keys) were emitted'
function noWarnings () {
  assert.deepEqual(warnings.map((w) => `${w.name}: ${w.message}`), [])
}

// ---------------------------------------------------------------------------------------------
// The SDK, as its README shows: require('k2-connect-node')(options).
function loadSdk (credentials, origin) {
  const K2 = require('k2-connect-node')({ ...credentials, baseUrl: origin })
  return K2
}

// SDK internals reachable from outside (lib/index.js exports neither): the shared status getter
// every service's getStatus delegates to, and the signature check webhookHandler runs.
function sdkHelper (name) {
  return require(path.join(require.resolve('k2-connect-node'), '..', 'lib', 'helpers', name))
}

// A test fixture of the SDK's own test suite (test/response/...), for key-shape comparisons.
function sdkFixture (relative) {
  return require(path.join(SDK_DIR, 'test', 'response', relative))
}

// ---------------------------------------------------------------------------------------------
// k2mock, through k2mock's own Node kit (clients/node): `serve --port 0` as a child that never
// outlives this process, its admin API (advance, reset, fireEvent, callbacks, requests, clock,
// request, admin), and its CallbackReceiver, which keeps every POST's exact bytes and headers and
// answers 200.

// The suite's k2mock: scenario.yaml unless `options` say otherwise, logs off.
function startK2Mock (options = { scenario: SCENARIO }) {
  return K2Mock.start({ bin: BINARY, ...options, args: ['--log-format', 'none', ...(options.args || [])] })
}

function startReceiver () {
  return CallbackReceiver.start()
}

// ---------------------------------------------------------------------------------------------
// Express-like stand-ins for Webhooks.webhookHandler(req, res): req.body is the parsed JSON (as
// express.json() gives it), req.get(name) reads a header case-insensitively; res.status(code)
// .json() records the answer the handler gives K2.

function expressRequest (headers, rawBody) {
  const lower = {}
  for (const [k, v] of Object.entries(headers)) lower[k.toLowerCase()] = v
  return {
    method: 'POST',
    headers: lower,
    body: JSON.parse(typeof rawBody === 'string' ? rawBody : rawBody.toString('utf8')),
    get (name) { return lower[name.toLowerCase()] },
    header (name) { return lower[name.toLowerCase()] }
  }
}

function expressResponse () {
  return {
    statusCode: undefined,
    answered: false,
    body: undefined,
    status (code) { this.statusCode = code; return this },
    json (body) { this.answered = true; this.body = body; return this }
  }
}

// Runs the SDK's webhookHandler on a delivery the receiver got; returns {result, error, res}.
async function handle (K2, delivery, { rawBody, headers } = {}) {
  const req = expressRequest(headers || delivery.headers, rawBody === undefined ? delivery.body : rawBody)
  const res = expressResponse()
  try {
    const result = await K2.Webhooks.webhookHandler(req, res)
    return { result, error: undefined, res }
  } catch (error) {
    return { result: undefined, error, res }
  }
}

// The SDK's verifier must accept the delivery as sent, answer K2 200, resolve the parsed body,
// and refuse a one-byte-changed body and a wrong signature (401, rejected promise).
async function assertVerifiedBySdk (K2, delivery, apiKey) {
  assert.equal(delivery.headers['content-type'], 'application/json')
  const signature = delivery.headers['x-kopokopo-signature']
  assert.match(signature || '', /^[0-9a-f]{64}$/, 'X-KopoKopo-Signature is lowercase hex SHA-256')

  const ok = await handle(K2, delivery)
  assert.equal(ok.error, undefined, `webhookHandler refused k2mock's delivery: ${ok.error}`)
  assert.equal(ok.res.statusCode, 200)
  assert.equal(ok.res.answered, true)
  assert.deepEqual(ok.result, JSON.parse(delivery.text))
  // The SDK re-serialises the parsed body before hashing: k2mock's bytes must survive that.
  assert.equal(JSON.stringify(JSON.parse(delivery.text)), delivery.text, 'body is canonical compact JSON')

  // The SDK's signature helper on the raw bytes, directly.
  const { auth } = sdkHelper('auth')
  assert.equal(auth(apiKey, delivery.text, signature), 200)

  // One byte changed in the body (still valid JSON): refused.
  const tampered = tamper(delivery.text)
  assert.notEqual(tampered, delivery.text)
  const bad = await handle(K2, delivery, { rawBody: tampered })
  assert.equal(bad.result, undefined, 'a tampered body must not be accepted')
  assert.equal(bad.error, '401: Webhook not authenticated')
  assert.equal(bad.res.statusCode, 401)
  assert.equal(auth(apiKey, tampered, signature), 401)

  // A wrong signature of the right length: refused.
  const flipped = signature.slice(0, -1) + (signature.endsWith('0') ? '1' : '0')
  const wrong = await handle(K2, delivery, { headers: { ...delivery.headers, 'x-kopokopo-signature': flipped } })
  assert.equal(wrong.error, '401: Webhook not authenticated')
  assert.equal(wrong.res.statusCode, 401)
  return ok.result
}

// Change one byte of a JSON text so it stays valid JSON: the case of the first letter that
// starts a string value (`"type":"incoming_payment"` -> `"type":"Incoming_payment"`).
function tamper (text) {
  const m = /":"[A-Za-z]/.exec(text)
  assert.ok(m, 'no string value to tamper with')
  const j = m.index + 3
  const c = text[j]
  const swapped = c === c.toLowerCase() ? c.toUpperCase() : c.toLowerCase()
  return text.slice(0, j) + swapped + text.slice(j + 1)
}

// ---------------------------------------------------------------------------------------------
// Key shapes: every key of the SDK's own fixture for this body (what its tests and example app
// read) must exist in k2mock's body (arrays: their first elements; `metadata`: only the key
// itself, its content is the caller's). Returns the missing key paths.

function missingKeys (expected, actual, prefix = '') {
  const missing = []
  if (expected === null || typeof expected !== 'object') return missing
  if (Array.isArray(expected)) {
    if (Array.isArray(actual) && expected.length && actual.length) {
      return missingKeys(expected[0], actual[0], prefix + '[0]')
    }
    return missing
  }
  if (actual === null || typeof actual !== 'object' || Array.isArray(actual)) return missing
  for (const key of Object.keys(expected)) {
    const where = prefix ? `${prefix}.${key}` : key
    if (!Object.prototype.hasOwnProperty.call(actual, key)) {
      missing.push(where)
    } else if (key !== 'metadata') { // metadata is the caller's own, not a shape
      missing.push(...missingKeys(expected[key], actual[key], where))
    }
  }
  return missing
}

function assertHasSdkFixtureKeys (fixture, body, what) {
  assert.deepEqual(missingKeys(fixture, body), [], `${what}: keys the SDK's fixture has and k2mock's body lacks`)
}

// ---------------------------------------------------------------------------------------------
// A file's shared context: one k2mock and one receiver, reset before each test.

function context () {
  const ctx = {}
  ctx.setup = async (options) => {
    ctx.server = await startK2Mock(options)
    ctx.receiver = await startReceiver()
    ctx.K2 = loadSdk(CREDENTIALS, ctx.server.origin)
  }
  ctx.teardown = async () => {
    if (ctx.receiver) await ctx.receiver.stop()
    if (ctx.server) {
      const code = await ctx.server.stop()
      assert.equal(code, 0, 'k2mock exits 0 on SIGTERM')
    }
  }
  ctx.fresh = async () => {
    await ctx.server.reset()
    ctx.receiver.clear()
    const token = await ctx.K2.TokenService.getToken()
    ctx.token = token.access_token
    return ctx.token
  }
  return ctx
}

const idOf = (location) => location.slice(location.lastIndexOf('/') + 1)

// The delivery k2mock journaled for a body the receiver got: same bytes, same signature.
async function journalEntryFor (server, delivery) {
  const journal = await server.callbacks()
  const entry = journal.find((e) => e.body === delivery.text)
  assert.ok(entry, 'the received body is in /__admin/callbacks')
  assert.equal(entry.signature, delivery.headers['x-kopokopo-signature'])
  assert.equal(entry.outcome, 'delivered')
  return entry
}

// The one delivery the receiver got at `pathname`.
function onlyDelivery (receiver, pathname) {
  const got = receiver.at(pathname)
  assert.equal(got.length, 1, `expected exactly one POST to ${pathname}, got ${got.length}`)
  return got[0]
}

module.exports = {
  REPO,
  BINARY,
  SCENARIO,
  CREDENTIALS,
  DEFAULT_CREDENTIALS,
  PREISSUED_TOKEN,
  DOCS_RECIPIENT,
  K2Mock,
  CallbackReceiver,
  startK2Mock,
  startReceiver,
  loadSdk,
  sdkHelper,
  sdkFixture,
  expressRequest,
  expressResponse,
  handle,
  assertVerifiedBySdk,
  assertHasSdkFixtureKeys,
  missingKeys,
  tamper,
  context,
  idOf,
  journalEntryFor,
  onlyDelivery,
  NO_WARNINGS,
  noWarnings
}
