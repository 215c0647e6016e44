'use strict'
// The cases every k2mock kit must pass (clients/parity.json), one test per case id. A case id
// without an implementation here fails, and so does an implementation whose id is not there.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const {
  K2Mock, CallbackReceiver, K2MockError, K2MockBinaryNotFoundError, K2MockStartError, K2MockAdminTokenError,
  K2MockUnreachableError, K2MockNotFoundError, K2MockConflictError, kopoKopoSignature, K2MockTimeoutError
} = require('..')

// K2MOCK_PARITY_FILE: another list, for the test that proves a missing case fails.
const PARITY = JSON.parse(fs.readFileSync(process.env.K2MOCK_PARITY_FILE || path.join(h.REPO, 'clients', 'parity.json'), 'utf8'))

// The official Node SDK, from .build/sdks (Tests/sdk/setup.sh), its axios and lodash from
// NODE_PATH (run-tests.sh puts Debian's /usr/share/nodejs there).
function officialSdk () {
  const where = ['k2-connect-node', path.join(h.REPO, '.build', 'sdks', 'node_modules', 'k2-connect-node')]
  const problems = []
  for (const name of where) {
    try { return require(name) } catch (error) { problems.push(`${name}: ${error.message.split('\n')[0]}`) }
  }
  assert.fail('the official SDK k2-connect-node cannot be loaded (run Tests/sdk/setup.sh; NODE_PATH needs ' +
    `.build/sdks/node_modules and Debian's /usr/share/nodejs, as run-tests.sh sets):\n  ${problems.join('\n  ')}`)
}

const cases = {
  'start-stop': async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    try {
      assert.match(k2.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
      assert.equal(k2.baseUrl, k2.origin)
      assert.ok(h.alive(k2.pid) && k2.running && !k2.connected)
      const answer = await k2.request('GET', h.DOCS_PAYMENT, undefined, { token: h.DOCS_TOKEN })
      assert.equal(answer.status, 200)
      assert.equal(answer.json.data.attributes.status, 'Processed')
      assert.ok(answer.text.includes(JSON.stringify(k2.baseUrl + h.DOCS_PAYMENT)), 'its self link is on baseUrl')
      assert.equal((await k2.clock()).mode, 'manual')
    } finally {
      assert.equal(await k2.stop(), 0, 'k2mock exits 0 on SIGTERM')
    }
    assert.equal(k2.running, false)
    assert.ok(await h.gone(k2.pid), `k2mock (pid ${k2.pid}) is gone after stop()`)
    assert.equal(await k2.stop(), 0, 'a second stop() answers the same')
    await assert.rejects(K2Mock.connect(k2.baseUrl, { timeout: 0 }), K2MockUnreachableError)
  },

  'missing-binary': async (t) => {
    const saved = { K2MOCK_BIN: process.env.K2MOCK_BIN, PATH: process.env.PATH }
    t.after(() => { process.env.K2MOCK_BIN = saved.K2MOCK_BIN; process.env.PATH = saved.PATH })
    process.env.K2MOCK_BIN = '/nonexistent/k2mock'
    process.env.PATH = h.tmpdir(t) // a folder without k2mock
    for (const env of [process.env, { ...process.env, K2MOCK_BIN: '' }]) {
      const error = await K2Mock.start({ clock: 'manual', env }).then(() => null, (e) => e)
      assert.ok(error instanceof K2MockBinaryNotFoundError && error instanceof K2MockError, String(error))
      assert.equal(error.code, 'K2MOCK_BINARY_NOT_FOUND')
      assert.match(error.message, /K2MOCK_BIN/)
      assert.match(error.message, /PATH/)
      assert.match(error.message, /dist\/k2mock-0\.1\.0-linux-[a-z0-9_]+\.tar\.gz/)
      assert.match(error.message, /make dist/)
    }
    await assert.rejects(K2Mock.start(), /K2MOCK_BIN is \/nonexistent\/k2mock, which does not exist/)
  },

  'sdk-token': async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    try {
      const K2 = officialSdk()({
        clientId: 'sandbox_client_id', clientSecret: 'sandbox_client_secret', apiKey: 'sandbox_api_key', baseUrl: k2.baseUrl
      })
      const token = await K2.TokenService.getToken()
      assert.match(token.access_token, /^[A-Za-z0-9_-]{43,}$/)
      assert.equal(token.token_type, 'Bearer')
      assert.equal(token.expires_in, 3600)
      // baseUrl is in the SDK's form: its request reached /oauth/token, not //oauth/token.
      assert.deepEqual((await k2.requests()).map((r) => [r.method, r.path, r.status]), [['POST', '/oauth/token', 200]])
    } finally {
      await k2.stop()
    }
  },

  'create-advance-callback': async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    const receiver = await CallbackReceiver.start({ apiKey: 'sandbox_api_key' })
    try {
      const createdAnswer = await k2.request('POST', '/api/v2/incoming_payments', h.stkPush(receiver.url()),
        { token: await k2.accessToken() })
      assert.equal(createdAnswer.status, 201)
      const id = createdAnswer.location.split('/').pop()
      assert.deepEqual(await k2.callbacks(), [])
      const advanced = await k2.advance(10)
      assert.deepEqual(advanced.ran.map((e) => e.stage || e.outcome), ['Success', 'delivered'])
      const deliveries = await k2.callbacks()
      assert.equal(deliveries.length, 1)
      const [delivery] = deliveries
      assert.equal(delivery.kind, 'callback')
      assert.equal(delivery.resource, 'incoming_payment')
      assert.equal(delivery.resource_id, id)
      assert.equal(delivery.outcome, 'delivered')
      assert.equal(delivery.attempts[0].status, 200)
      assert.equal(receiver.received.length, 1)
      const [got] = receiver.received
      assert.equal(got.text, delivery.body, 'the receiver got exactly the journalled body')
      assert.equal(got.signature, delivery.signature)
      assert.equal(got.verified, true)
      assert.equal(got.path, '/k2/result')
      assert.equal(got.json().data.id, id)
      assert.equal(got.json().data.attributes.status, 'Success')
    } finally {
      await receiver.stop()
      await k2.stop()
    }
  },

  'receiver-verifies': async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    const receiver = await CallbackReceiver.start({ apiKey: 'sandbox_api_key' })
    try {
      const subscription = { event_type: 'customer_created', url: receiver.url('/hooks'), scope: 'company' }
      assert.equal((await k2.request('POST', '/api/v2/webhook_subscriptions', subscription, { token: h.DOCS_TOKEN })).status, 201)
      await k2.fireEvent('customer_created') // k2mock signs it with sandbox_api_key
      const [good] = await receiver.waitFor(1, { timeout: 5000 })
      assert.equal(good.verified, true)

      const post = (body, signature) => fetchLike(receiver.url('/hooks'), body, signature)
      const changed = Buffer.from(good.body)
      changed[changed.indexOf('"') + 1] ^= 0x20 // one byte, case flipped
      assert.equal((await post(changed, good.signature)).status, 200)
      assert.equal((await post(good.body, kopoKopoSignature(good.body, 'another-api-key'))).status, 200)
      await k2.fireEvent('customer_created', null, { badSignature: true })

      const all = await receiver.waitFor(4, { timeout: 5000 })
      assert.deepEqual(all.map((c) => c.verified), [true, false, false, false])
      assert.throws(() => receiver.assertAllVerified(), /3 callbacks with a wrong signature/)
      const started = Date.now()
      await assert.rejects(receiver.waitFor(5, { timeout: 150 }), (error) => {
        assert.ok(error instanceof K2MockTimeoutError)
        assert.equal(error.message.startsWith('4 callbacks arrived at'), true, error.message)
        assert.match(error.message, /in 150 ms, not 5/)
        return true
      })
      assert.ok(Date.now() - started >= 140)
    } finally {
      await receiver.stop()
      await k2.stop()
    }
  },

  reset: async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    try {
      const fixtures = await k2.resources()
      assert.ok(fixtures.length > 0 && fixtures.every((r) => r.created_at === null))
      assert.equal((await k2.request('POST', '/api/v2/incoming_payments', h.stkPush('http://127.0.0.1:9/x'), { token: h.DOCS_TOKEN })).status, 201)
      await k2.advance(60)
      assert.equal(h.created(await k2.resources()).length, 1)
      assert.equal((await k2.callbacks()).length, 1)
      await k2.reset()
      assert.deepEqual(await k2.resources(), fixtures)
      assert.deepEqual(await k2.callbacks(), [])
      assert.deepEqual(await k2.requests(), [])
    } finally {
      await k2.stop()
    }
  },

  'fire-event': async () => {
    const k2 = await K2Mock.start({ clock: 'manual' })
    const receiver = await CallbackReceiver.start({ apiKey: 'sandbox_api_key' })
    try {
      const subscription = { event_type: 'buygoods_transaction_received', url: receiver.url('/hooks'), scope: 'company' }
      assert.equal((await k2.request('POST', '/api/v2/webhook_subscriptions', subscription, { token: h.DOCS_TOKEN })).status, 201)
      const fired = await k2.fireEvent('buygoods_transaction_received', { amount: '250.0' })
      assert.ok(fired.id)
      const [delivery] = await k2.callbacks()
      assert.equal(delivery.kind, 'webhook')
      assert.equal(delivery.topic, 'buygoods_transaction_received')
      assert.equal(delivery.event_id, fired.id)
      assert.equal(delivery.outcome, 'delivered')
      assert.equal(delivery.signature, kopoKopoSignature(delivery.body, 'sandbox_api_key'))
      const [got] = receiver.received
      assert.equal(got.text, delivery.body)
      assert.equal(got.verified, true)
      const event = got.json()
      assert.equal(event.topic, 'buygoods_transaction_received')
      assert.equal(event.event.resource.amount, '250.0')
    } finally {
      await receiver.stop()
      await k2.stop()
    }
  },

  expectations: async (t) => {
    const scenario = path.join(h.tmpdir(t), 'expect.yaml')
    fs.writeFileSync(scenario, [
      'version: 1',
      'clock: { mode: manual, start: "2021-01-28T10:00:00+03:00" }',
      'credentials:',
      '  - { client_id: exp-client, client_secret: exp-secret, api_key: exp-key }',
      'tokens:',
      '  - { value: exp-token, client_id: exp-client }',
      'expect:',
      '  - { requests: { method: POST, path: /api/v2/incoming_payments }, count: 1 }',
      ''
    ].join('\n'))
    const k2 = await K2Mock.start({ scenario })
    try {
      const before = await k2.expectations()
      assert.equal(before.passed, false)
      assert.equal(before.results.length, 1)
      assert.equal(before.results[0].description, `requests POST /api/v2/incoming_payments: expected 1, got 0 (${scenario}:8)`)
      assert.equal(before.results[0].actual, 0)
      await assert.rejects(k2.assertExpectations(), (error) => {
        assert.equal(error.name, 'AssertionError')
        assert.match(error.message, /requests POST \/api\/v2\/incoming_payments: expected 1, got 0/)
        return true
      })
      assert.equal((await k2.request('POST', '/api/v2/incoming_payments', h.stkPush('http://127.0.0.1:9/x'), { token: 'exp-token' })).status, 201)
      const after = await k2.expectations()
      assert.equal(after.passed, true)
      assert.deepEqual(after.results.map((r) => [r.passed, r.actual]), [[true, 1]])
      await k2.assertExpectations()
    } finally {
      await k2.stop()
    }
  },

  'admin-token-refused': async () => {
    const k2 = await K2Mock.start({ clock: 'manual', adminToken: 's3cret' })
    try {
      assert.equal((await k2.clock()).mode, 'manual', 'with the token, calls succeed')
      assert.equal((await k2.request('GET', '/__admin/clock')).status, 401)
      for (const adminToken of [undefined, 'wrong']) {
        await assert.rejects(K2Mock.connect(k2.baseUrl, { adminToken }), (error) => {
          assert.ok(error instanceof K2MockAdminTokenError)
          assert.equal(error.status, 401)
          assert.match(error.message, adminToken ? /wrong token/ : /none was given/)
          return true
        })
      }
      const connected = await K2Mock.connect(k2.baseUrl, { adminToken: 's3cret' })
      assert.equal((await connected.advance(1)).now, (await k2.clock()).now)
      k2.adminToken = 'wrong'
      await assert.rejects(k2.resources(), K2MockAdminTokenError)
      k2.adminToken = 's3cret'
      assert.ok(Array.isArray(await k2.resources()))
    } finally {
      await k2.stop()
    }
  },

  unreachable: async () => {
    const url = `http://127.0.0.1:${await h.closedPort()}`
    await assert.rejects(K2Mock.connect(url, { timeout: 200 }), (error) => {
      assert.ok(error instanceof K2MockUnreachableError && error instanceof K2MockError)
      assert.equal(error.url, url)
      assert.ok(error.message.includes(url), error.message)
      assert.match(error.message, /does not answer \(GET \/__admin\/health\): ECONNREFUSED \(waited 200 ms\)/)
      return true
    })
  },

  'scenario-error': async (t) => {
    const bad = path.join(h.tmpdir(t), 'bad.yaml')
    fs.writeFileSync(bad, 'version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n')
    await assert.rejects(K2Mock.start({ scenario: bad }), (error) => {
      assert.ok(error instanceof K2MockStartError && error instanceof K2MockError)
      assert.equal(error.exitCode, 1)
      const where = new RegExp(bad.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&') + ":3:\\d+: unknown stage 'Sent' for payment")
      assert.match(error.message, where)
      assert.match(error.stderr, where)
      assert.match(error.message, /^k2mock exited with status 1 before it listened/)
      return true
    })
  },

  'connect-sandbox-isolation': async () => {
    const outside = await h.startSeparately('--scenario', h.HAPPY)
    try {
      const server = await K2Mock.connect(outside.url)
      assert.ok(server.connected)
      assert.equal(server.pid, undefined)
      const a = await server.sandbox({ name: 'a' })
      const b = await server.sandbox({ name: 'b' })
      assert.deepEqual(a.credentials, [{ client_id: 'demo-client-a', client_secret: 'demo-secret-a', api_key: 'demo-api-key-a' }])
      assert.deepEqual(b.credentials.map((c) => c.client_id), ['demo-client-b'])
      assert.equal(a.baseUrl, server.baseUrl)

      const issued = await server.request('POST', '/oauth/token', ...h.oauthForm(a.clientId, a.clientSecret))
      assert.equal(issued.status, 200)
      const tokenA = issued.json.access_token
      const tokenB = await b.accessToken()
      const made = await server.request('POST', '/api/v2/incoming_payments', h.stkPush('http://127.0.0.1:9/x'), { token: tokenA })
      assert.equal(made.status, 201)
      const paymentPath = new URL(made.location).pathname
      assert.deepEqual(h.created(await a.resources()).map((r) => r.path), [paymentPath])
      assert.deepEqual(h.created(await b.resources()), [])
      assert.deepEqual(h.created(await server.resources()), [])
      assert.equal((await server.request('GET', paymentPath, undefined, { token: tokenB })).status, 404)
      assert.equal((await server.request('GET', paymentPath, undefined, { token: tokenA })).status, 200)

      assert.deepEqual(await a.delete(), { id: 'a', deleted: true, dropped_deliveries: 0 })
      assert.equal((await server.request('GET', paymentPath, undefined, { token: tokenA })).status, 401)
      await assert.rejects(a.clock(), K2MockNotFoundError)
      assert.equal((await server.request('GET', '/oauth/token/info', undefined, { token: tokenB })).status, 200)
      await b.delete()
      assert.deepEqual(await server.sandboxes(), [])

      assert.equal(await server.stop(), null)
      assert.equal(outside.child.exitCode, null, 'stop() left the server it did not start running')
      assert.equal((await (await K2Mock.connect(outside.url)).health()).status, 'ok')
    } finally {
      assert.equal(await outside.stop(), 0)
    }
  },

  'transcript-snapshot': async (t) => {
    const saved = process.env.K2MOCK_UPDATE_SNAPSHOTS
    delete process.env.K2MOCK_UPDATE_SNAPSHOTS
    t.after(() => { if (saved === undefined) delete process.env.K2MOCK_UPDATE_SNAPSHOTS; else process.env.K2MOCK_UPDATE_SNAPSHOTS = saved })
    const snapshot = path.join(h.tmpdir(t), 'snapshots', 'pay.yaml')
    const k2 = await K2Mock.start({ clock: 'manual', scenario: h.HAPPY })
    const ports = []
    // One run: a sandbox named `snap` (manual clock, seed 7), a receiver of its own, a token, a
    // payment calling the receiver back, 10 s; then `check` on the sandbox. A new receiver
    // starts before the last one stops, so each run's is on another port.
    let previous = null
    const run = async (amount, check) => {
      const sandbox = await k2.sandbox({ name: 'snap', scenario: h.HAPPY, seed: 7, clock: 'manual' })
      const receiver = await CallbackReceiver.start({ apiKey: sandbox.apiKey })
      if (previous) await previous.stop()
      previous = receiver
      ports.push(receiver.port)
      try {
        const made = await sandbox.request('POST', '/api/v2/incoming_payments', h.stkPush(receiver.url(), { amount }),
          { token: await sandbox.accessToken() })
        assert.equal(made.status, 201)
        await sandbox.advance(10)
        assert.deepEqual(receiver.received.map((c) => c.verified), [true])
        return await check(sandbox)
      } finally {
        await sandbox.delete()
      }
    }
    try {
      await run(100, (sandbox) => sandbox.assertTranscript(snapshot))
      const written = fs.readFileSync(snapshot, 'utf8')
      assert.match(written, /^format: k2mock-transcript\/1$/m)
      assert.match(written, /^sandbox: "snap"$/m)
      assert.match(written, /"value": 100$/m)
      assert.ok(written.includes('http://127.0.0.1:{port-1}/k2/result'), 'the receiver\'s port is a placeholder')

      await run(100, (sandbox) => sandbox.assertTranscript(snapshot))
      assert.equal(fs.readFileSync(snapshot, 'utf8'), written, 'a passing run leaves the file alone')

      await run(2500, (sandbox) => assert.rejects(sandbox.assertTranscript(snapshot), (error) => {
        assert.ok(error instanceof assert.AssertionError, String(error))
        assert.equal(error.snapshot, snapshot)
        assert.ok(error.message.startsWith(`k2mock transcript differs from the snapshot ${snapshot}:\n`), error.message)
        assert.ok(error.differences.includes('entry 2, POST /api/v2/incoming_payments: request_body.amount.value: 100 → 2500'),
          error.differences.join('\n'))
        assert.ok(error.differences.some((d) => d.includes('"100.0" → "2500.0"')), error.differences.join('\n'))
        for (const line of error.differences) assert.ok(error.message.includes('\n  ' + line + '\n'), line)
        assert.match(error.message, /K2MOCK_UPDATE_SNAPSHOTS=1/)
        return true
      }))
      assert.equal(fs.readFileSync(snapshot, 'utf8'), written, 'a failing run leaves the file alone')

      process.env.K2MOCK_UPDATE_SNAPSHOTS = '1'
      await run(2500, (sandbox) => sandbox.assertTranscript(snapshot))
      delete process.env.K2MOCK_UPDATE_SNAPSHOTS
      const rewritten = fs.readFileSync(snapshot, 'utf8')
      assert.notEqual(rewritten, written)
      assert.match(rewritten, /"value": 2500$/m)
      await run(2500, (sandbox) => sandbox.assertTranscript(snapshot))
      assert.equal(new Set(ports).size, ports.length, `each run's receiver on another port: ${ports}`)

      const real = await k2.sandbox({ name: 'real', scenario: h.HAPPY, clock: 'real' })
      const refused = path.join(path.dirname(snapshot), 'real.yaml')
      await assert.rejects(real.assertTranscript(refused), (error) => {
        assert.ok(error instanceof K2MockConflictError && error instanceof K2MockError, String(error))
        assert.equal(error.status, 409)
        assert.match(error.errorMessage, /^This sandbox runs a real clock: .*For a snapshot, run it on a manual clock/)
        assert.ok(error.message.includes(error.errorMessage))
        return true
      })
      assert.equal(fs.existsSync(refused), false, 'nothing written for a real clock')
    } finally {
      if (previous) await previous.stop()
      await k2.stop()
    }
  },

  version: async () => {
    const repoVersion = fs.readFileSync(path.join(h.REPO, 'VERSION'), 'utf8').trim()
    const pkg = JSON.parse(fs.readFileSync(path.join(h.KIT, 'package.json'), 'utf8'))
    assert.equal(pkg.version, repoVersion)
    assert.equal(require('..').VERSION, repoVersion)
  }
}

// A POST with a chosen body and signature, as a forger (or a proxy that changed a byte) sends it.
function fetchLike (url, body, signature) {
  const http = require('node:http')
  return new Promise((resolve, reject) => {
    const request = http.request(url, {
      method: 'POST', agent: false,
      headers: { 'Content-Type': 'application/json', 'Content-Length': body.length, 'X-KopoKopo-Signature': signature }
    }, (answer) => { answer.resume(); answer.on('end', () => resolve({ status: answer.statusCode })) })
    request.on('error', reject)
    request.end(body)
  })
}

const ids = PARITY.cases.map((c) => c.id)
test('parity.json lists each case once', () => {
  assert.ok(ids.length > 0)
  assert.deepEqual(ids, [...new Set(ids)])
})

for (const { id, does } of PARITY.cases) {
  const run = cases[id]
  test(id, run || (() => assert.fail(`parity case ${id} has no implementation in the Node kit's suite: ${does}`)))
}

test('every implemented case is in parity.json', () => {
  assert.deepEqual(Object.keys(cases).filter((id) => !ids.includes(id)), [])
})
