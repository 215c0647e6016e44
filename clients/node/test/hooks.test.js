'use strict'
// useK2Mock and useK2MockSandbox: in node:test files run as a user runs them (a `node --test`
// of their own, the kit required by name), and with Jest/Vitest-style hooks handed in.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const { K2Mock, useK2Mock, useK2MockSandbox, K2MockError } = require('..')

async function runNodeTest (t, files, env = {}) {
  const dir = h.projectWithKit(t)
  for (const [name, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, name), text)
  const result = await h.runNode(['--test', '--test-reporter=tap', ...Object.keys(files)], { cwd: dir, env: { ...process.env, ...env } })
  return { ...result, dir }
}

const STK = (url) => `{ payment_channel: 'M-PESA STK Push', till_number: 'K000000', subscriber: { phone_number: '+254799999999' },
  amount: { currency: 'KES', value: 100 }, _links: { callback_url: ${url} } }`

test('useK2Mock in a node:test file: before/after, resetEach, a receiver', async (t) => {
  const { code, stdout, stderr } = await runNodeTest(t, {
    'shop.test.js': `
      const { test, after } = require('node:test')
      const assert = require('node:assert/strict')
      const { useK2Mock } = require('k2mock')
      const k2 = useK2Mock({ scenario: ${JSON.stringify(h.HAPPY)}, receiver: { apiKey: 'demo-api-key' }, resetEach: true })
      let pid
      for (const n of [1, 2]) {
        test('payment ' + n, async () => {
          pid = k2.pid
          assert.match(k2.baseUrl, /^http:\\/\\/127\\.0\\.0\\.1:\\d+$/)
          assert.equal((await k2.callbacks()).length, 0, 'reset before each test')
          assert.equal(k2.receiver.received.length, 0, 'cleared before each test')
          const answer = await k2.request('POST', '/api/v2/incoming_payments', ${STK('k2.receiver.url()')}, { token: 'demo-token' })
          assert.equal(answer.status, 201)
          await k2.advance(10)
          assert.equal(k2.receiver.received[0].verified, true)
          assert.equal(k2.server.pid, pid)
        })
      }
      after(() => { process.stdout.write('# k2mock pid ' + pid + '\\n') })
    `
  })
  assert.equal(code, 0, stdout + stderr)
  assert.match(stdout, /# pass 2/)
  const pid = Number(/# k2mock pid (\d+)/.exec(stdout)[1])
  assert.ok(await h.gone(pid), 'stopped after the file')
})

test('useK2MockSandbox: two files at once, each a sandbox on one server given by K2MOCK_URL, receivers by K2MOCK_CALLBACK_HOST', async (t) => {
  const server = await K2Mock.start({ scenario: h.HAPPY, adminToken: 'adm' })
  t.after(() => server.stop())
  const file = (amount) => `
    const { test } = require('node:test')
    const assert = require('node:assert/strict')
    const { useK2MockSandbox } = require('k2mock')
    const sandbox = useK2MockSandbox({ receiver: true, perTest: true })
    for (const n of [1, 2]) {
      test('pay ${amount} #' + n, async () => {
        assert.match(sandbox.id, /^sandbox-\\d+$/)
        assert.equal(sandbox.receiver.apiKey, sandbox.apiKey)
        assert.ok(sandbox.receiver.url().startsWith('http://127.0.0.2:'), 'K2MOCK_CALLBACK_HOST names the receiver')
        assert.equal(sandbox.server.connected, true)
        const body = ${STK('sandbox.receiver.url()')}
        body.amount.value = ${amount}
        const answer = await sandbox.request('POST', '/api/v2/incoming_payments', body, { token: sandbox.token })
        assert.equal(answer.status, 201)
        await sandbox.advance(10)
        const mine = (await sandbox.resources()).filter((r) => r.created_at)
        assert.deepEqual(mine.map((r) => r.body.data.attributes.event.resource.amount), ['${amount}.0'], 'only this test\\'s payment')
        assert.deepEqual(sandbox.receiver.received.map((c) => c.verified), [true], 'signed with this sandbox\\'s key')
        process.stdout.write('# sandbox ' + sandbox.id + '\\n')
      })
    }
  `
  const { code, stdout, stderr } = await runNodeTest(t, { 'a.test.js': file(100), 'b.test.js': file(200) },
    { K2MOCK_URL: server.baseUrl, K2MOCK_ADMIN_TOKEN: 'adm', K2MOCK_CALLBACK_HOST: '127.0.0.2' }) // 127.0.0.2: a stand-in for host.docker.internal
  assert.equal(code, 0, stdout + stderr)
  assert.match(stdout, /# pass 4/)
  const ids = [...stdout.matchAll(/# sandbox (sandbox-\d+)/g)].map((m) => m[1])
  assert.equal(new Set(ids).size, 4, `a sandbox per test: ${ids}`)
  assert.deepEqual(await server.sandboxes(), [], 'each deleted after its test')
  assert.equal((await server.health()).status, 'ok', 'a server given by URL is left running')
})

test('useK2MockSandbox without K2MOCK_URL starts a server for the file; a bad admin token fails the file', async (t) => {
  const files = {
    'own.test.js': `
      const { test } = require('node:test')
      const assert = require('node:assert/strict')
      const { useK2MockSandbox } = require('k2mock')
      const sandbox = useK2MockSandbox({ name: 'mine', scenario: ${JSON.stringify(h.HAPPY)}, seed: 3, server: { clock: 'manual' } })
      test('own server', async () => {
        assert.deepEqual([sandbox.id, sandbox.seed, sandbox.clientId], ['mine', 3, 'demo-client-mine'])
        assert.equal(sandbox.server.connected, false)
      })
    `
  }
  const own = await runNodeTest(t, files, { K2MOCK_URL: '' })
  assert.equal(own.code, 0, own.stdout + own.stderr)

  const server = await K2Mock.start({ adminToken: 'adm' })
  t.after(() => server.stop())
  const refused = await runNodeTest(t, files, { K2MOCK_URL: server.baseUrl, K2MOCK_ADMIN_TOKEN: 'wrong' })
  assert.notEqual(refused.code, 0)
  assert.match(refused.stdout, /K2MockAdminTokenError|the admin API refused the admin token \(wrong token\)/)
})

test('Jest/Vitest-style hooks (beforeAll/afterAll/beforeEach) handed in', async () => {
  const registered = {}
  const hooks = {}
  for (const name of ['beforeAll', 'afterAll', 'beforeEach']) hooks[name] = (fn) => { registered[name] = fn }
  const k2 = useK2Mock({ clock: 'manual', receiver: true, resetEach: true, hooks })
  assert.deepEqual(Object.keys(registered).sort(), ['afterAll', 'beforeAll', 'beforeEach'])
  assert.throws(() => k2.baseUrl, (error) => error instanceof K2MockError && /not started yet/.test(error.message))
  assert.equal(k2.then, undefined, 'not a thenable')
  assert.throws(() => k2.baseUrl, /In a before hook of your own, `await k2.ready` first/)
  const early = k2.clock() // a method called while it starts waits for it
  await registered.beforeAll()
  assert.equal((await early).mode, 'manual')
  assert.equal(await k2.ready, k2.server)
  try {
    assert.match(k2.baseUrl, /^http:\/\/127\.0\.0\.1:\d+$/)
    assert.equal(k2.receiver.apiKey, 'sandbox_api_key')
    assert.equal('advance' in k2, true)
    await k2.advance(5)
    await registered.beforeEach()
    assert.equal((await k2.clock()).now, (await k2.server.reset(), await k2.clock()).now)
  } finally {
    await registered.afterAll()
  }
  assert.equal(k2.running, false)
  assert.ok(await h.gone(k2.pid))
})

test('a start that fails rejects ready and the methods waiting for it', async () => {
  const registered = {}
  const k2 = useK2Mock({ bin: '/nonexistent/k2mock', hooks: { beforeAll: (fn) => { registered.before = fn }, afterAll: (fn) => { registered.after = fn } } })
  const early = k2.advance(1)
  await assert.rejects(registered.before(), /k2mock not found/)
  await assert.rejects(k2.ready, /k2mock not found/)
  await assert.rejects(early, /k2mock not found/)
  await registered.after() // nothing to stop: no error
})

test('Jest/Vitest globals are used when there are; a missing hook is named', async (t) => {
  const registered = []
  globalThis.beforeAll = (fn) => registered.push(['beforeAll', fn])
  globalThis.afterAll = (fn) => registered.push(['afterAll', fn])
  t.after(() => { delete globalThis.beforeAll; delete globalThis.afterAll })
  useK2Mock({ clock: 'manual' })
  assert.deepEqual(registered.map(([name]) => name), ['beforeAll', 'afterAll'])
  assert.throws(() => useK2Mock({ resetEach: true }), /resetEach needs a beforeEach hook/)
  assert.throws(() => useK2MockSandbox({ perTest: true, hooks: { before () {}, after () {} } }), /perTest needs a beforeEach hook/)
  assert.throws(() => useK2Mock({ hooks: { before () {} } }), /hooks must give before\/after/)
})
