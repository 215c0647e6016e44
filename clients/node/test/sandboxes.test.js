'use strict'
// Sandboxes through the kit: made with every option, found, listed, deleted, and their typed
// failures. One k2mock on the happy-path scenario for the file.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const {
  K2Mock, Sandbox, CallbackReceiver, K2MockAPIError, K2MockConflictError, K2MockNotFoundError, K2MockError, K2MockAdminTokenError
} = require('..')

let server
before(async () => { server = await K2Mock.start({ scenario: h.HAPPY, adminToken: 'adm' }) })
after(async () => { await server.stop() })

test('a sandbox has its own credentials, clock, callbacks signed with its own key', async () => {
  const a = await server.sandbox({ name: 'a', scenario: h.HAPPY })
  const b = await server.sandbox({ name: 'b', scenario: h.HAPPY })
  const receiver = await CallbackReceiver.start({ apiKey: a.apiKey })
  try {
    assert.ok(a instanceof Sandbox)
    assert.deepEqual([a.id, a.name, a.scenario, a.seed, a.ttl], ['a', 'a', h.HAPPY, 42, null])
    assert.deepEqual([a.clientId, a.clientSecret, a.apiKey, a.token], ['demo-client-a', 'demo-secret-a', 'demo-api-key-a', 'demo-token-a'])
    assert.equal(a.adminUrl, `${server.baseUrl}/__admin/sandboxes/a`)
    assert.equal(a.adminToken, 'adm')
    assert.deepEqual(a.baseUrls, server.baseUrls)
    assert.equal(await server.request('POST', '/api/v2/incoming_payments', h.stkPush(receiver.url()), { token: await a.accessToken() })
      .then((r) => r.status), 201)
    await a.advance(10)
    assert.equal((await a.clock()).now, '2021-01-28T10:00:10.000+03:00')
    assert.equal((await b.clock()).now, '2021-01-28T10:00:00.000+03:00')
    assert.equal((await server.clock()).now, '2021-01-28T10:00:00.000+03:00')
    assert.deepEqual(receiver.received.map((c) => c.verified), [true])
    assert.deepEqual((await a.callbacks()).map((d) => d.outcome), ['delivered'])
    assert.deepEqual(await b.callbacks(), [])
    assert.deepEqual((await server.sandboxes()).map((s) => s.id), ['a', 'b'])
    assert.deepEqual((await server.getSandbox('b')).credentials, b.credentials)
    await a.reset()
    assert.deepEqual(h.created(await a.resources()), [])
  } finally {
    await receiver.stop()
    await a.delete()
    await b.delete()
  }
  assert.deepEqual(await server.sandboxes(), [])
})

test('scenarioYaml, seed, clock, timeScale, ttl (a duration or seconds)', async () => {
  const yaml = 'version: 1\nclock: { mode: real, start: "2021-01-28T10:00:00+03:00" }\n' +
    'credentials:\n  - { client_id: c, client_secret: s, api_key: k }\n'
  const sandbox = await server.sandbox({ scenarioYaml: yaml, seed: 7, clock: 'manual', timeScale: 2, ttl: 3600 })
  try {
    assert.match(sandbox.id, /^sandbox-\d+$/)
    assert.deepEqual([sandbox.scenario, sandbox.seed, sandbox.ttl], ['scenario_yaml', 7, '1h'])
    assert.deepEqual(sandbox.credentials, [{ client_id: `c-${sandbox.id}`, client_secret: `s-${sandbox.id}`, api_key: `k-${sandbox.id}` }])
    assert.equal(sandbox.token, undefined)
    assert.deepEqual(await sandbox.clock(), { now: '2021-01-28T10:00:00.000+03:00', mode: 'manual', scale: 2 })
  } finally {
    await sandbox.delete()
  }
  const failing = await server.sandbox({ scenario: h.FAILURES, ttl: '30m' })
  try {
    assert.equal(failing.ttl, '30m')
    assert.equal((await server.request('POST', '/api/v2/incoming_payments', h.stkPush('http://127.0.0.1:9/x', { phone: '+254700000001' }),
      { token: failing.token })).status, 201)
    await failing.advance(60)
    assert.equal(h.created(await failing.resources())[0].stage, 'Failed', "failures.yaml's cancelled push")
  } finally {
    await failing.delete()
  }
})

test('deleting drops pending deliveries and ends its credentials; twice is a NotFound', async () => {
  const sandbox = await server.sandbox({ name: 'gone', scenario: h.HAPPY })
  const subscription = { event_type: 'customer_created', url: 'http://127.0.0.1:9/hooks', scope: 'company' }
  assert.equal((await server.request('POST', '/api/v2/webhook_subscriptions', subscription, { token: sandbox.token })).status, 201)
  await sandbox.fireEvent('customer_created', null, { delay: '30s' })
  assert.deepEqual(await sandbox.delete(), { id: 'gone', deleted: true, dropped_deliveries: 1 })
  assert.equal(sandbox.deleted, true)
  assert.equal(String(sandbox), `Sandbox gone on ${server.baseUrl} (deleted)`)
  assert.equal((await server.request('POST', '/api/v2/webhook_subscriptions', subscription, { token: sandbox.token })).status, 401)
  await assert.rejects(sandbox.accessToken(), (error) => error instanceof K2MockAPIError && error.status === 401)
  await assert.rejects(sandbox.clock(), (error) => {
    assert.ok(error instanceof K2MockNotFoundError)
    assert.equal(error.errorMessage, 'Sandbox gone was deleted; 1 pending delivery was dropped')
    return true
  })
  await assert.rejects(sandbox.delete(), K2MockNotFoundError)
})

test('typed refusals: 409 a taken name, 404 no such sandbox, 400 a bad scenario (FILE:LINE:COLUMN), 401 the admin token', async (t) => {
  const taken = await server.sandbox({ name: 'taken' })
  try {
    await assert.rejects(server.sandbox({ name: 'taken' }), (error) => {
      assert.ok(error instanceof K2MockConflictError && error instanceof K2MockAPIError && error instanceof K2MockError)
      assert.deepEqual([error.status, error.errorMessage, error.method, error.path], [409, 'A sandbox named taken exists already', 'POST', '/__admin/sandboxes'])
      assert.equal(error.code, 'K2MOCK_CONFLICT')
      return true
    })
    assert.equal(taken.scenario, (await server.health()).scenario, 'no scenario: the server\'s own')
  } finally {
    await taken.delete()
  }
  await assert.rejects(server.getSandbox('nope'), (error) => error instanceof K2MockNotFoundError && error.errorMessage === 'No sandbox nope')
  await assert.rejects(new Sandbox(server, { id: 'nope' }).advance(1), /No sandbox nope/)

  const bad = 'version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n'
  await assert.rejects(server.sandbox({ scenarioYaml: bad }), (error) => {
    assert.ok(error instanceof K2MockAPIError && !(error instanceof K2MockConflictError) && !(error instanceof K2MockNotFoundError))
    assert.equal(error.status, 400)
    assert.match(error.errorMessage, /^The scenario is not valid: scenario_yaml:3:\d+: unknown stage 'Sent' for payment/)
    return true
  })
  const file = path.join(h.tmpdir(t), 'bad.yaml')
  fs.writeFileSync(file, bad)
  await assert.rejects(server.sandbox({ scenario: file }), new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}:3:`))
  await assert.rejects(server.sandbox({ name: 'not a name' }), /name must be 1 to 64 letters/)
  await assert.rejects(server.sandbox({ ttl: 'soon' }), /ttl must be a duration/)
  await assert.rejects(server.sandbox({ nam: 'x' }), /sandbox has no option nam/)

  const noToken = await K2Mock.connect(server.baseUrl, { adminToken: 'adm' })
  noToken.adminToken = undefined
  await assert.rejects(noToken.sandbox(), (error) => error instanceof K2MockAdminTokenError && /none was given/.test(error.message))
  assert.deepEqual(await server.sandboxes(), [], 'nothing half-made is left')
})

test('past --max-sandboxes: a 429 K2MockAPIError', async () => {
  const small = await K2Mock.start({ args: ['--max-sandboxes', '1'] })
  try {
    await small.sandbox()
    await assert.rejects(small.sandbox(), (error) => error instanceof K2MockAPIError && error.status === 429 && /--max-sandboxes/.test(error.errorMessage))
  } finally {
    await small.stop()
  }
})

test('await using: a sandbox is deleted, a server stopped, a receiver stopped', { skip: typeof Symbol.asyncDispose !== 'symbol' }, async () => {
  const sandbox = await server.sandbox({ name: 'disposable' })
  await sandbox[Symbol.asyncDispose]()
  assert.equal(sandbox.deleted, true)
  await sandbox[Symbol.asyncDispose]() // once deleted, nothing more
  const gone = await server.sandbox({ name: 'gone-already' })
  await (await K2Mock.connect(server.baseUrl, { adminToken: 'adm' })).getSandbox('gone-already').then((s) => s.delete())
  await gone[Symbol.asyncDispose]() // deleted by someone else: no error
  const started = await K2Mock.start({ clock: 'manual' })
  assert.equal(await started[Symbol.asyncDispose](), 0)
  const receiver = await CallbackReceiver.start()
  await receiver[Symbol.asyncDispose]()
})
