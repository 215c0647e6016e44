'use strict'
// Starting and stopping: the child never outlives its parent (SIGKILL included), a forgotten
// server does not hold the process open, start failures say why, and the binary is found.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const h = require('./helpers')
const { K2Mock, K2MockStartError, K2MockBinaryNotFoundError, findBinary } = require('..')

// A script that starts k2mock through the kit, prints its pid, then does `then`.
function parentScript (dir, then) {
  const file = path.join(dir, 'parent.js')
  fs.writeFileSync(file, `
    const { K2Mock } = require(${JSON.stringify(h.KIT)})
    K2Mock.start({ clock: 'manual' }).then((k2) => {
      process.stdout.write(JSON.stringify({ pid: k2.pid, url: k2.baseUrl }) + '\\n')
      ${then}
    }, (error) => { console.error(error); process.exit(3) })
  `)
  return file
}

async function startParent (t, then) {
  const { spawn } = require('node:child_process')
  const parent = spawn(process.execPath, [parentScript(h.tmpdir(t), then)], { stdio: ['ignore', 'pipe', 'pipe'] })
  let stderr = ''
  parent.stderr.on('data', (chunk) => { stderr += chunk }) // the uncaught exception's report, say
  const line = await new Promise((resolve, reject) => {
    require('node:readline').createInterface({ input: parent.stdout }).once('line', resolve)
    parent.once('exit', (code) => reject(new Error(`the parent exited ${code} before k2mock listened: ${stderr}`)))
  })
  const exited = new Promise((resolve) => parent.once('exit', (code, signal) => resolve(code ?? signal)))
  return { parent, exited, ...JSON.parse(line) }
}

test('k2mock dies with its parent when the parent is SIGKILLed', async (t) => {
  const { parent, pid, url, exited } = await startParent(t, 'setInterval(() => {}, 1000)')
  assert.ok(h.alive(pid))
  assert.equal((await (await K2Mock.connect(url)).health()).status, 'ok')
  parent.kill('SIGKILL')
  assert.equal(await exited, 'SIGKILL')
  assert.ok(await h.gone(pid), `k2mock (pid ${pid}) outlived its SIGKILLed parent`)
})

test('a server the test forgets to stop neither holds the process open nor outlives it', async (t) => {
  const { pid, exited } = await startParent(t, '/* no stop() */')
  assert.equal(await exited, 0, 'the parent ran out of work and exited on its own')
  assert.ok(await h.gone(pid))
})

test('an uncaught exception in the parent takes k2mock with it', async (t) => {
  const { pid, exited } = await startParent(t, "setTimeout(() => { throw new Error('boom') }, 10); setInterval(() => {}, 1000)")
  assert.equal(await exited, 1)
  assert.ok(await h.gone(pid))
})

test('the watchdog leaves nothing behind after stop()', { skip: !fs.existsSync('/proc/self/stat') && 'no /proc' }, async () => {
  const k2 = await K2Mock.start({ clock: 'manual' })
  assert.equal(k2.watched, true, 'started through the /bin/sh watchdog')
  const watchers = () => fs.readdirSync('/proc').filter((entry) => /^\d+$/.test(entry)).filter((entry) => {
    try { return fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1].split(' ')[1] === String(k2.pid) } catch (_) { return false }
  })
  assert.equal(watchers().length, 1, 'one watcher, a child of k2mock')
  const watcher = Number(watchers()[0])
  assert.equal(await k2.stop(), 0)
  assert.ok(await h.gone(watcher), 'the watcher ended with it')
})

test('stop() answers the exit status; SIGKILL when SIGTERM is not enough', async (t) => {
  const dir = h.tmpdir(t)
  const stubborn = path.join(dir, 'stubborn')
  // A "k2mock" that listens (says so) and ignores SIGTERM.
  fs.writeFileSync(stubborn, "#!/bin/sh\ntrap '' TERM\necho 'k2mock listening on http://127.0.0.1:9'\nwhile :; do sleep 1; done\n", { mode: 0o755 })
  const k2 = await K2Mock.start({ bin: stubborn })
  assert.equal(k2.baseUrl, 'http://127.0.0.1:9')
  assert.equal(await k2.stop({ timeout: 200 }), 'SIGKILL')
  assert.ok(await h.gone(k2.pid))
})

test('a binary that never listens fails the start in time, and is killed', async (t) => {
  const dir = h.tmpdir(t)
  const silent = path.join(dir, 'silent')
  fs.writeFileSync(silent, '#!/bin/sh\necho starting >&2\nexec sleep 30\n', { mode: 0o755 })
  const started = Date.now()
  await assert.rejects(K2Mock.start({ bin: silent, startTimeout: 300 }), (error) => {
    assert.ok(error instanceof K2MockStartError)
    assert.match(error.message, /^k2mock did not listen within 300 ms .*silent\):\nstarting$/s)
    assert.equal(error.signal, 'SIGKILL')
    return true
  })
  assert.ok(Date.now() - started < 5000)
})

test('a binary that prints something else first is refused', async (t) => {
  const dir = h.tmpdir(t)
  const other = path.join(dir, 'other')
  fs.writeFileSync(other, '#!/bin/sh\necho hello\nexec sleep 30\n', { mode: 0o755 })
  await assert.rejects(K2Mock.start({ bin: other }), /k2mock printed "hello" where "k2mock listening on URL" was expected/)
})

test('serve arguments k2mock refuses fail the start with its message', async () => {
  await assert.rejects(K2Mock.start({ args: ['--clock', 'sometimes'] }), (error) => {
    assert.ok(error instanceof K2MockStartError)
    assert.notEqual(error.exitCode, 0)
    assert.match(error.stderr, /sometimes/)
    return true
  })
})

test('options: clock, seed, timeScale, args (an array, or a string split on spaces), unknown ones refused', async () => {
  const k2 = await K2Mock.start({ scenario: h.HAPPY, clock: 'real', timeScale: 10, seed: 9, args: '--log-format json' })
  try {
    assert.deepEqual({ ...(await k2.clock()), now: undefined }, { now: undefined, mode: 'real', scale: 10 })
    assert.equal(k2.scenario, h.HAPPY)
    assert.equal((await k2.health()).scenario, h.HAPPY)
    await k2.request('GET', h.DOCS_PAYMENT)
    for (let i = 0; i < 100 && !k2.log.some((line) => line.startsWith('{')); i++) await new Promise((resolve) => setTimeout(resolve, 20))
    assert.ok(k2.log.some((line) => JSON.parse(line).path === h.DOCS_PAYMENT), `a JSON log line on stderr: ${k2.log}`)
  } finally {
    await k2.stop()
  }
  await assert.rejects(K2Mock.start({ scenaro: 'x.yaml' }), /K2Mock.start has no option scenaro/)
})

test('findBinary: the bin option, then K2MOCK_BIN (never skipped when wrong), then PATH', (t) => {
  const dir = h.tmpdir(t)
  const onPath = path.join(dir, 'k2mock')
  fs.symlinkSync(h.BIN(), onPath)
  assert.equal(findBinary(undefined, { PATH: `/nonexistent:${dir}` }), onPath)
  assert.equal(findBinary(undefined, { PATH: dir, K2MOCK_BIN: h.BIN() }), h.BIN())
  assert.equal(findBinary(h.BIN(), { PATH: '' }), h.BIN())
  assert.throws(() => findBinary(undefined, { PATH: dir, K2MOCK_BIN: path.join(dir, 'nope') }), (error) => {
    assert.ok(error instanceof K2MockBinaryNotFoundError)
    assert.match(error.message, /K2MOCK_BIN is .*nope, which does not exist \(PATH was not searched\)/)
    return true
  })
  fs.writeFileSync(path.join(dir, 'plain'), 'not a program')
  assert.throws(() => findBinary(path.join(dir, 'plain')), /the bin option is .*plain, which is not executable/)
  assert.throws(() => findBinary(undefined, { K2MOCK_BIN: dir }), /which is not a file/)
  assert.throws(() => findBinary(undefined, { PATH: '/nonexistent' }), /K2MOCK_BIN is not set and there is no k2mock on PATH \(\/nonexistent\)/)
})
