'use strict'
// The admin API through the kit: each call, its options, and its typed failures. One k2mock on
// the happy-path scenario (manual clock, seeded), reset before each test.
const { test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./helpers')
const {
  K2Mock, CallbackReceiver, K2MockError, K2MockAPIError, K2MockNotFoundError, K2MockUnreachableError, kopoKopoSignature
} = require('..')

let k2, receiver
before(async () => {
  k2 = await K2Mock.start({ scenario: h.HAPPY })
  receiver = await CallbackReceiver.start({ apiKey: 'demo-api-key' })
})
after(async () => {
  await receiver.stop()
  assert.equal(await k2.stop(), 0)
})
beforeEach(async () => {
  await k2.reset()
  receiver.clear()
})

const pay = async (options) => {
  const answer = await k2.request('POST', '/api/v2/incoming_payments', h.stkPush(receiver.url(), options), { token: 'demo-token' })
  assert.equal(answer.status, 201, answer.text)
  return answer.location.split('/').pop()
}

test('baseUrl and baseUrls: each official SDK\'s form', () => {
  assert.equal(k2.baseUrl, `http://127.0.0.1:${k2.port}`)
  assert.deepEqual(k2.baseUrls, { node: k2.baseUrl, php: k2.baseUrl, python: k2.baseUrl + '/', ruby: k2.baseUrl + '/' })
  assert.equal(String(k2), `K2Mock started at ${k2.baseUrl}`)
})

test('advance() runs what falls due, in order, on the sandbox clock', async () => {
  assert.equal((await k2.clock()).now, '2021-01-28T10:00:00.000+03:00')
  const id = await pay()
  assert.deepEqual((await k2.advance(9.5)).ran, [])
  const { now, ran } = await k2.advance(0.5)
  assert.equal(now, '2021-01-28T10:00:10.000+03:00')
  assert.deepEqual(ran.map((e) => [e.id || e.callback, e.stage || e.outcome]), [[id, 'Success'], [1, 'delivered']])
  await assert.rejects(k2.advance(-1), TypeError)
  await assert.rejects(k2.advance('10'), TypeError)
})

test('resources(): fixtures first, then created ones with their timeline and GET body', async () => {
  const id = await pay({ metadata: { order: '42' } })
  const resources = await k2.resources()
  assert.ok(resources[0].created_at === null && resources[0].stage === null)
  const mine = resources[resources.length - 1]
  assert.equal(mine.kind, 'incoming_payment')
  assert.equal(mine.id, id)
  assert.equal(mine.stage, 'Pending')
  assert.deepEqual(mine.timeline.map((s) => [s.stage, s.reached]), [['Pending', true], ['Success', false]])
  assert.equal(mine.body.data.attributes.metadata.order, '42')
  assert.equal((await k2.request('GET', mine.path, undefined, { token: 'demo-token' })).json.data.id, id)
  const location = `${k2.baseUrl}${mine.path}` // what K2 answers in `location`: a full URL works too
  assert.equal((await k2.request('GET', location, undefined, { token: 'demo-token' })).json.data.id, id)
})

test('requests() and callbacks() take limit and resourceId', async () => {
  const first = await pay()
  const second = await pay({ amount: 200 })
  await k2.advance(10)
  assert.deepEqual((await k2.requests()).map((r) => [r.method, r.path, r.status]),
    [['POST', '/api/v2/incoming_payments', 201], ['POST', '/api/v2/incoming_payments', 201]])
  assert.equal((await k2.requests({ limit: 1 })).length, 1)
  assert.deepEqual((await k2.callbacks()).map((d) => d.resource_id), [first, second])
  assert.deepEqual((await k2.callbacks({ limit: 1 })).map((d) => d.resource_id), [second])
  assert.deepEqual((await k2.callbacks({ resourceId: first })).map((d) => d.resource_id), [first])
})

test('the receiver\'s scripted answers make k2mock retry; redeliver() sends again now', async () => {
  receiver.respondWith(503, { status: 500, body: { oops: true } })
  await pay()
  await k2.advance(10)
  let [delivery] = await k2.callbacks()
  assert.equal(delivery.outcome, 'pending')
  assert.deepEqual(delivery.attempts.map((a) => a.status), [503])
  await k2.advance(10) // the first backoff
  ;[delivery] = await k2.callbacks()
  assert.deepEqual(delivery.attempts.map((a) => a.status), [503, 500])
  const redelivered = await k2.redeliver(delivery.id)
  assert.equal(redelivered.outcome, 'delivered')
  assert.deepEqual(redelivered.attempts.map((a) => [a.status, a.redelivery]), [[503, false], [500, false], [200, true]])
  assert.equal(receiver.received.length, 3)
  assert.ok(receiver.received.every((c) => c.verified && c.text === delivery.body))
  await assert.rejects(k2.redeliver(99), (error) => error instanceof K2MockNotFoundError && error.errorMessage === 'No delivery 99')
})

test('fireEvent(): delay, duplicates, badSignature', async () => {
  const subscription = { event_type: 'm2m_transaction_received', url: receiver.url('/hooks'), scope: 'company' }
  assert.equal((await k2.request('POST', '/api/v2/webhook_subscriptions', subscription, { token: 'demo-token' })).status, 201)
  const fired = await k2.fireEvent('m2m_transaction_received', null, { delay: '30s', duplicates: 1 })
  assert.deepEqual(receiver.received, [], 'nothing before the delay')
  assert.equal((await k2.callbacks()).length, 2)
  await k2.advance(29)
  assert.deepEqual(receiver.received, [])
  await k2.advance(1)
  assert.equal(receiver.received.length, 2)
  assert.ok(receiver.received.every((c) => c.verified && c.json().id === fired.id))
  await k2.fireEvent('m2m_transaction_received', {}, { badSignature: true, delay: 0 })
  assert.equal(receiver.received[2].verified, false)
  assert.notEqual(receiver.received[2].signature, kopoKopoSignature(receiver.received[2].body, 'demo-api-key'))
  await assert.rejects(k2.fireEvent('no_such_topic'), (error) => {
    assert.ok(error instanceof K2MockAPIError)
    assert.equal(error.status, 400)
    assert.match(error.errorMessage, /^topic must be one of b2b_transaction_received/)
    assert.match(error.message, /^POST \/__admin\/events answered 400: topic must be one of/)
    return true
  })
  assert.ok((await k2.topics()).includes('customer_created'))
  assert.ok((await k2.kinds()).some((k) => k.kind === 'incoming_payment'))
})

test('request(): a token, any headers, a Buffer or string body as it is, any status', async () => {
  const form = await k2.request('POST', '/oauth/token', 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret',
    { headers: { 'content-type': 'application/x-www-form-urlencoded' } })
  assert.equal(form.status, 200)
  assert.equal(form.json.token_type, 'Bearer')
  const refused = await k2.request('GET', '/oauth/token/info', undefined, { token: 'nope' })
  assert.equal(refused.status, 401)
  const notJson = await k2.request('POST', '/api/v2/incoming_payments', Buffer.from('{not json'), { token: 'demo-token' })
  assert.equal(notJson.status, 400)
  assert.equal(typeof notJson.text, 'string')
  await k2.reset()
  assert.equal(await k2.accessToken({ clientId: 'demo-client', clientSecret: 'demo-secret' }), form.json.access_token,
    'seeded: after a reset, the same first token')
  await assert.rejects(k2.accessToken(), (error) => error instanceof K2MockAPIError && error.status === 401,
    'the default scenario\'s client is not in happy-path')
})

test('assertExpectations() passes without expect entries; health() counts deliveries', async () => {
  await k2.assertExpectations()
  await pay()
  await k2.advance(10)
  assert.deepEqual((await k2.health()).deliveries, { pending: 0, delivered: 1, failed: 0 })
})

test('connect(): trailing slash accepted, not a k2mock URL refused, a server going away named', async () => {
  const again = await K2Mock.connect(k2.baseUrl + '/')
  assert.equal(again.baseUrl, k2.baseUrl)
  assert.equal(again.scenario, h.HAPPY)
  assert.equal(String(again), `K2Mock connected to ${k2.baseUrl}`)
  for (const wrong of ['127.0.0.1:8080', 'ftp://127.0.0.1', 'http://127.0.0.1:8080/__admin', 'http://127.0.0.1:8080/?x=1', '']) {
    await assert.rejects(K2Mock.connect(wrong), (error) => error instanceof K2MockError && /not a k2mock URL/.test(error.message))
  }
  const outside = await h.startSeparately()
  const connected = await K2Mock.connect(outside.url)
  await outside.stop()
  await assert.rejects(connected.clock(), (error) => {
    assert.ok(error instanceof K2MockUnreachableError)
    assert.equal(error.message, `k2mock at ${outside.url} does not answer (GET /__admin/clock): ECONNREFUSED`)
    return true
  })
})

test('connect() waits for a server that is still starting', async (t) => {
  const port = await h.closedPort()
  const { spawn } = require('node:child_process')
  const waiting = K2Mock.connect(`http://127.0.0.1:${port}`, { timeout: 10000 })
  const late = spawn(h.BIN(), ['serve', '--port', String(port), '--log-format', 'none'], { stdio: 'ignore' })
  t.after(() => late.kill('SIGTERM'))
  const server = await waiting
  assert.equal((await server.health()).status, 'ok')
})

test('connect() to something that is not k2mock says so', async (t) => {
  const http = require('node:http')
  const other = http.createServer((req, res) => { res.writeHead(404, { 'Content-Type': 'text/html' }); res.end('<h1>Not Found</h1>') })
  await new Promise((resolve) => other.listen(0, '127.0.0.1', resolve))
  t.after(() => other.close())
  const url = `http://127.0.0.1:${other.address().port}`
  await assert.rejects(K2Mock.connect(url), (error) => {
    assert.ok(error instanceof K2MockError && !(error instanceof K2MockAPIError))
    assert.equal(error.message, `${url} is not k2mock, or not its admin API: GET /__admin/health answered 404: <h1>Not Found</h1>`)
    return true
  })
})
