'use strict'
// Transcripts and snapshots beyond the parity case transcript-snapshot: transcript() and
// diffTranscripts() on the server and a sandbox, a snapshot k2mock cannot read, the bytes
// differing in form only, relative paths (the current directory), the update switch, and
// assertTranscript through useK2Mock's stand-in. Manual clocks and fixed seeds throughout.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const { K2Mock, K2MockAPIError, K2MockConflictError, useK2Mock } = require('..')

let server
before(async () => { server = await K2Mock.start({ clock: 'manual', seed: 5, scenario: h.HAPPY }) })
after(() => server.stop())

// A sandbox `name` (manual clock, seed 7) after a token and a payment of `amount`.
async function paid (t, name, amount = 100) {
  const sandbox = await server.sandbox({ name, seed: 7, clock: 'manual' })
  t.after(() => sandbox.deleted || sandbox.delete())
  const made = await sandbox.request('POST', '/api/v2/incoming_payments', h.stkPush('http://127.0.0.1:9/k2/result', { amount }),
    { token: await sandbox.accessToken() })
  assert.equal(made.status, 201)
  return sandbox
}

// Runs `fn` with K2MOCK_UPDATE_SNAPSHOTS set to `value` (undefined: unset), then puts it back.
async function withUpdate (value, fn) {
  const saved = process.env.K2MOCK_UPDATE_SNAPSHOTS
  if (value === undefined) delete process.env.K2MOCK_UPDATE_SNAPSHOTS
  else process.env.K2MOCK_UPDATE_SNAPSHOTS = value
  try {
    return await fn()
  } finally {
    if (saved === undefined) delete process.env.K2MOCK_UPDATE_SNAPSHOTS
    else process.env.K2MOCK_UPDATE_SNAPSHOTS = saved
  }
}

test('transcript(): the server\'s own sandbox and a made one, each under its own admin path', async (t) => {
  await server.accessToken({ clientId: 'demo-client', clientSecret: 'demo-secret' })
  const own = await server.transcript()
  assert.match(own, /^format: k2mock-transcript\/1$/m)
  assert.match(own, /^path: "\/oauth\/token"$/m)
  assert.equal(await server.transcript({ snapshot: true }), own, 'a manual clock: snapshot=true answers the same text')

  const sandbox = await paid(t, 'tx-own')
  const text = await sandbox.transcript()
  assert.match(text, /^sandbox: "tx-own"$/m)
  assert.match(text, /^path: "\/api\/v2\/incoming_payments"$/m)
  assert.ok(!own.includes('/api/v2/incoming_payments'), 'the sandbox\'s requests are not in the server\'s transcript')
  await server.reset()
})

test('diffTranscripts(): equal, the differences, and a 400 for a text that is not a transcript', async (t) => {
  const a = await (await paid(t, 'tx-diff-a', 100)).transcript({ snapshot: true })
  const b = await (await paid(t, 'tx-diff-b', 100)).transcript({ snapshot: true })
  assert.deepEqual(await server.diffTranscripts(a, a), { equal: true, differences: [] })
  const { equal, differences } = await server.diffTranscripts(a, b)
  assert.equal(equal, false)
  assert.ok(differences.some((d) => d.includes('"tx-diff-a" → "tx-diff-b"')), differences.join('\n'))
  await assert.rejects(server.diffTranscripts('hello: [', a), (error) => {
    assert.ok(error instanceof K2MockAPIError)
    assert.equal(error.status, 400)
    assert.match(error.errorMessage, /^expected:\d+: not YAML/)
    return true
  })
  await assert.rejects(server.diffTranscripts(a), TypeError)
})

test('a real clock: transcript() answers, a snapshot is refused with K2MockConflictError and k2mock\'s 409 message', async (t) => {
  const real = await server.sandbox({ name: 'tx-real', clock: 'real' })
  t.after(() => real.delete())
  assert.match(await real.transcript(), /^clock: real$/m)
  await assert.rejects(real.transcript({ snapshot: true }), (error) => {
    assert.ok(error instanceof K2MockConflictError)
    assert.match(error.errorMessage, /^This sandbox runs a real clock/)
    return true
  })
})

test('a snapshot k2mock cannot read (hand-edited, an older format) fails naming the file, k2mock\'s message and the update switch', async (t) => {
  const sandbox = await paid(t, 'tx-unreadable')
  const dir = h.tmpdir(t)
  const cases = {
    'edited.yaml': ['hello: [\n', /cannot be compared: expected:\d+: not YAML/],
    'older.yaml': [(await sandbox.transcript({ snapshot: true })).replace('k2mock-transcript/1', 'k2mock-transcript/0'),
      /cannot be compared: expected:\d+: format k2mock-transcript\/0/]
  }
  await withUpdate(undefined, async () => {
    for (const [name, [text, reason]] of Object.entries(cases)) {
      const file = path.join(dir, name)
      fs.writeFileSync(file, text)
      await assert.rejects(sandbox.assertTranscript(file), (error) => {
        assert.ok(error instanceof assert.AssertionError, String(error))
        assert.equal(error.code, 'ERR_ASSERTION')
        assert.equal(error.snapshot, file)
        assert.deepEqual(error.differences, [])
        assert.ok(error.message.startsWith(`k2mock transcript: the snapshot ${file} cannot be compared: `), error.message)
        assert.match(error.message, reason)
        assert.match(error.message, /run the test again with K2MOCK_UPDATE_SNAPSHOTS=1\.$/)
        return true
      })
      assert.equal(fs.readFileSync(file, 'utf8'), text, 'left as it was')
    }
  })
})

test('bytes that differ in form only (CRLF line endings) fail, saying k2mock finds no difference in content', async (t) => {
  const sandbox = await paid(t, 'tx-crlf')
  const file = path.join(h.tmpdir(t), 'crlf.yaml')
  fs.writeFileSync(file, (await sandbox.transcript({ snapshot: true })).replace(/\n/g, '\r\n'))
  await withUpdate(undefined, () => assert.rejects(sandbox.assertTranscript(file), (error) => {
    assert.ok(error instanceof assert.AssertionError)
    assert.match(error.message, /differs from the snapshot .*crlf\.yaml:\n {2}\(k2mock's diff finds no difference in content/)
    assert.match(error.message, /K2MOCK_UPDATE_SNAPSHOTS=1/)
    return true
  }))
})

test('a relative path resolves against the current directory; missing folders are made', async (t) => {
  const sandbox = await paid(t, 'tx-relative')
  const dir = fs.realpathSync(h.tmpdir(t))
  const cwd = process.cwd()
  process.chdir(dir)
  try {
    await withUpdate(undefined, () => sandbox.assertTranscript(path.join('snapshots', 'deep', 'relative.yaml')))
  } finally {
    process.chdir(cwd)
  }
  const written = path.join(dir, 'snapshots', 'deep', 'relative.yaml')
  assert.equal(fs.readFileSync(written, 'utf8'), await sandbox.transcript({ snapshot: true }))
  assert.equal(fs.existsSync(path.join(cwd, 'snapshots', 'deep', 'relative.yaml')), false)
  await assert.rejects(sandbox.assertTranscript(''), TypeError)
})

test('K2MOCK_UPDATE_SNAPSHOTS=1 rewrites a snapshot that differs (or one k2mock cannot read); =0 leaves the check on', async (t) => {
  const dir = h.tmpdir(t)
  const file = path.join(dir, 'update.yaml')
  const first = await paid(t, 'tx-update', 100)
  await withUpdate(undefined, () => first.assertTranscript(file))
  const before = fs.readFileSync(file, 'utf8')
  await first.delete()

  const other = await paid(t, 'tx-update', 2500)
  await withUpdate('0', () => assert.rejects(other.assertTranscript(file), /request_body\.amount\.value: 100 → 2500/))
  assert.equal(fs.readFileSync(file, 'utf8'), before)
  await withUpdate('1', () => other.assertTranscript(file))
  const after = fs.readFileSync(file, 'utf8')
  assert.equal(after, await other.transcript({ snapshot: true }))
  assert.notEqual(after, before)
  await withUpdate(undefined, () => other.assertTranscript(file))

  const unreadable = path.join(dir, 'unreadable.yaml')
  fs.writeFileSync(unreadable, 'not: [a transcript')
  await withUpdate('1', () => other.assertTranscript(unreadable))
  assert.equal(fs.readFileSync(unreadable, 'utf8'), after)
})

test('assertTranscript through useK2Mock\'s stand-in (the server\'s own sandbox)', async (t) => {
  const registered = {}
  const k2 = useK2Mock({ clock: 'manual', seed: 3, hooks: { before: (fn) => { registered.before = fn }, after: (fn) => { registered.after = fn } } })
  const early = k2.transcript() // a method called while it starts waits for it
  await registered.before()
  t.after(() => registered.after())
  assert.match(await early, /^entries: 0$/m)
  const file = path.join(h.tmpdir(t), 'own.yaml')
  await k2.accessToken()
  await k2.advance(5)
  await withUpdate(undefined, async () => {
    await k2.assertTranscript(file)
    await k2.assertTranscript(file)
    await k2.advance(1)
    await assert.rejects(k2.assertTranscript(file), (error) => {
      assert.ok(error instanceof assert.AssertionError)
      assert.ok(error.differences.length > 0)
      return true
    })
  })
})
