'use strict'
// useK2Mock and useK2MockSandbox: in node:test files run as a user runs them (a `node --test`
// of their own, the kit required by name), and with Jest/Vitest-style hooks handed in.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const { K2Mock, useK2Mock, useK2MockSandbox, sandboxName, K2MockError } = require('..')

// Writes `files` (paths under a project folder with a package.json and the kit as
// node_modules/k2mock) and runs them with `node --test` (`args` before them) from `cwd` (a
// folder of the project; default its root).
async function runNodeTest (t, files, env = {}, { dir = h.projectWithKit(t), args = [], cwd = '.' } = {}) {
  if (!fs.existsSync(path.join(dir, 'package.json'))) fs.writeFileSync(path.join(dir, 'package.json'), '{ "name": "app", "private": true }\n')
  for (const [name, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, name)), { recursive: true })
    fs.writeFileSync(path.join(dir, name), text)
  }
  const where = path.join(dir, cwd)
  const result = await h.runNode(['--test', '--test-reporter=tap', ...args, ...Object.keys(files).map((name) => path.relative(where, path.join(dir, name)))],
    { cwd: where, env: { ...process.env, ...env } })
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
        assert.equal(sandbox.id, '${amount === 100 ? 'a' : 'b'}_test_js_pay_${amount}_' + n, 'named after the file and the test')
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
  const ids = [...stdout.matchAll(/# sandbox (\S+)/g)].map((m) => m[1])
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

test('sandboxName: the test id with runs of other characters made one _, a long one its end and a hash', () => {
  assert.equal(sandboxName('test/shop.test.js::pays 100 (KES)'), 'test_shop_test_js_pays_100_KES')
  assert.equal(sandboxName('a.test.js'), 'a_test_js')
  assert.equal(sandboxName('::'), 'test')
  const long = 'test/checkout/' + 'deep/'.repeat(10) + 'shop.test.js::a customer who never answers the push'
  const name = sandboxName(long)
  assert.ok(name.length <= 61 && /^[A-Za-z0-9_-]+$/.test(name), name)
  assert.match(name, /_a_customer_who_never_answers_the_push-[0-9a-f]{8}$/)
  assert.notEqual(sandboxName(long.replace('deep/', 'wide/')), name, 'the hash tells apart ids of the same end')
  assert.equal(sandboxName(long), name, 'the same id, the same name')
})

// Two files with a sandbox per test (and one for a file), each test snapshotting its transcript.
const SNAPSHOT_FILES = (scenario) => {
  const perTest = (letter) => `
    const { test } = require('node:test')
    const assert = require('node:assert/strict')
    const { useK2MockSandbox } = require('k2mock')
    const sandbox = useK2MockSandbox({ perTest: true, receiver: true, scenario: ${JSON.stringify(scenario)}, seed: 9, clock: 'manual' })
    for (const amount of [100, 250]) {
      test('pays ' + amount, async () => {
        const body = { payment_channel: 'M-PESA STK Push', till_number: 'K000000', subscriber: { phone_number: '+254799999999' },
          amount: { currency: 'KES', value: amount }, _links: { callback_url: sandbox.receiver.url() } }
        const made = await sandbox.request('POST', '/api/v2/incoming_payments', body, { token: await sandbox.accessToken() })
        assert.equal(made.status, 201)
        await sandbox.advance(10)
        assert.deepEqual(sandbox.receiver.received.map((c) => c.verified), [true])
        process.stdout.write('# sandbox ' + sandbox.id + '\\n')
        await sandbox.assertTranscript('snapshots/${letter}-' + amount + '.yaml')
      })
    }
  `
  return {
    'test/a.test.js': perTest('a'),
    'test/b.test.js': perTest('b'),
    'test/c.test.js': `
      const { test } = require('node:test')
      const { useK2MockSandbox } = require('k2mock')
      const sandbox = useK2MockSandbox({ scenario: ${JSON.stringify(scenario)}, seed: 9, clock: 'manual' })
      test('one sandbox for the file', async () => {
        await sandbox.accessToken()
        await sandbox.advance(1)
        process.stdout.write('# sandbox ' + sandbox.id + '\\n')
        await sandbox.assertTranscript('snapshots/c.yaml')
      })
    `
  }
}

test('useK2MockSandbox names a sandbox after its test, not a worker: snapshots made serially pass under parallel files, on another server, from another folder', async (t) => {
  const env = { K2MOCK_UPDATE_SNAPSHOTS: '', K2MOCK_CALLBACK_HOST: '' }
  const dir = h.projectWithKit(t)
  const files = SNAPSHOT_FILES(h.HAPPY)
  const names = ['test_a_test_js_pays_100', 'test_a_test_js_pays_250', 'test_b_test_js_pays_100', 'test_b_test_js_pays_250', 'test_c_test_js']
  const snapshots = () => Object.fromEntries(fs.readdirSync(path.join(dir, 'snapshots')).sort()
    .map((name) => [name, fs.readFileSync(path.join(dir, 'snapshots', name), 'utf8')]))

  const first = await K2Mock.start({ clock: 'manual' })
  t.after(() => first.stop())
  const serial = await runNodeTest(t, files, { ...env, K2MOCK_URL: first.baseUrl }, { dir, args: ['--test-concurrency=1'] })
  assert.equal(serial.code, 0, serial.stdout + serial.stderr)
  assert.match(serial.stdout, /# pass 5/)
  assert.deepEqual([...serial.stdout.matchAll(/# sandbox (\S+)/g)].map((m) => m[1]).sort(), names)
  const written = snapshots()
  assert.deepEqual(Object.keys(written), ['a-100.yaml', 'a-250.yaml', 'b-100.yaml', 'b-250.yaml', 'c.yaml'])
  assert.match(written['a-100.yaml'], /^sandbox: "test_a_test_js_pays_100"$/m)
  assert.deepEqual(await first.sandboxes(), [])

  // Another server (another port), all three files at once, started in test/: the same names, the same bytes.
  const second = await K2Mock.start({ clock: 'manual' })
  t.after(() => second.stop())
  assert.notEqual(second.port, first.port)
  fs.mkdirSync(path.join(dir, 'test', 'snapshots'))
  fs.cpSync(path.join(dir, 'snapshots'), path.join(dir, 'test', 'snapshots'), { recursive: true })
  const parallel = await runNodeTest(t, {}, { ...env, K2MOCK_URL: second.baseUrl },
    { dir, args: ['--test-concurrency=3', 'a.test.js', 'b.test.js', 'c.test.js'], cwd: 'test' })
  assert.equal(parallel.code, 0, parallel.stdout + parallel.stderr)
  assert.match(parallel.stdout, /# pass 5/)
  assert.deepEqual([...parallel.stdout.matchAll(/# sandbox (\S+)/g)].map((m) => m[1]).sort(), names)
  const again = Object.fromEntries(Object.keys(written).map((name) => [name, fs.readFileSync(path.join(dir, 'test', 'snapshots', name), 'utf8')]))
  assert.deepEqual(again, written, 'nothing rewritten')
  assert.deepEqual(fs.readdirSync(path.join(dir, 'test', 'snapshots')).sort(), Object.keys(written))
})

test('useK2MockSandbox steps around a name that is taken (-2), and uses a name given as it is', async (t) => {
  const server = await K2Mock.start({ clock: 'manual' })
  t.after(() => server.stop())
  const leftover = await server.sandbox({ name: 'test_a_test_js_pays_100' }) // a crashed run's
  const files = { 'test/a.test.js': SNAPSHOT_FILES(h.HAPPY)['test/a.test.js'] }
  const { code, stdout, stderr } = await runNodeTest(t, files, { K2MOCK_URL: server.baseUrl, K2MOCK_UPDATE_SNAPSHOTS: '' })
  assert.equal(code, 0, stdout + stderr)
  assert.deepEqual([...stdout.matchAll(/# sandbox (\S+)/g)].map((m) => m[1]), ['test_a_test_js_pays_100-2', 'test_a_test_js_pays_250'])
  assert.deepEqual((await server.sandboxes()).map((s) => s.id), [leftover.id], 'its own deleted, the leftover left')

  const given = await runNodeTest(t, {
    'named.test.js': `
      const { test } = require('node:test')
      const { useK2MockSandbox } = require('k2mock')
      useK2MockSandbox({ name: ${JSON.stringify(leftover.id)} })
      test('never runs', () => {})
    `
  }, { K2MOCK_URL: server.baseUrl })
  assert.notEqual(given.code, 0)
  assert.match(given.stdout, /K2MockConflictError|A sandbox named test_a_test_js_pays_100 exists already/)
})

test('perTest names under Jest/Vitest hooks: expect.getState().currentTestName, Vitest\'s {task}, else test-N; the file relative to its package', async (t) => {
  const server = await K2Mock.start({ clock: 'manual' })
  t.after(() => server.stop())
  const registered = {}
  const hooks = {}
  for (const name of ['beforeAll', 'afterAll', 'beforeEach', 'afterEach']) hooks[name] = (fn) => { registered[name] = fn }
  const sandbox = useK2MockSandbox({ url: server.baseUrl, perTest: true, hooks })
  assert.equal(registered.beforeEach.length, 0, 'Jest would take a hook with a parameter for a done-callback one')
  await registered.beforeAll()
  t.after(() => registered.afterAll())
  const file = 'test/hooks.test.js' // clients/node has the package.json
  const ids = []
  const each = async (context) => {
    await registered.beforeEach(context)
    ids.push(sandbox.id)
    await registered.afterEach()
  }
  globalThis.expect = { getState: () => ({ currentTestName: 'shop pays 100' }) }
  try {
    await each(undefined)
  } finally {
    delete globalThis.expect
  }
  await each({ task: { name: 'vitest test' } })
  await each(undefined)
  assert.deepEqual(ids, [sandboxName(`${file}::shop pays 100`), sandboxName(`${file}::vitest test`), sandboxName(`${file}::test-3`)])
  assert.deepEqual(ids, ['test_hooks_test_js_shop_pays_100', 'test_hooks_test_js_vitest_test', 'test_hooks_test_js_test-3'])
})
