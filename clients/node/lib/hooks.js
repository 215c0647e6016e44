'use strict'
// Test-framework helpers: a k2mock (or a sandbox on a shared one) started in a before hook and
// stopped in an after hook. node:test by default; Jest and Vitest through their globals
// (beforeAll/afterAll) or hooks passed in `hooks`.
const { K2Mock, Sandbox, DEFAULT_CREDENTIALS } = require('./server')
const { CallbackReceiver } = require('./receiver')
const { K2MockError, K2MockNotFoundError, K2MockConflictError } = require('./errors')
const crypto = require('node:crypto')
const fs = require('node:fs')
const path = require('node:path')
const { fileURLToPath } = require('node:url')

const KIT = path.resolve(__dirname, '..')
const NAME_ROOM = 61 // of k2mock's 64 name characters: room for "-NN" when a name is taken
const NAME_TRIES = 20

// A sandbox name for the test `testId` (say `test/shop.test.js::pays 100`): every run of
// characters other than [A-Za-z0-9_-] made one `_`; a long one keeps the id's end (the test's
// name) and gains a hash of the whole id, to stay within 61 characters. It depends on the test
// only (no worker, process id or random part), as a transcript holds the name: a snapshot made
// by a serial run matches one made by parallel workers.
function sandboxName (testId) {
  const clean = (text) => String(text).replace(/[^A-Za-z0-9_-]+/g, '_').replace(/^[_-]+|[_-]+$/g, '')
  let body = clean(testId) || 'test'
  if (body.length > NAME_ROOM) {
    const digest = crypto.createHash('sha1').update(String(testId)).digest('hex').slice(0, 8)
    body = body.slice(body.length - (NAME_ROOM - digest.length - 1)).replace(/^[_-]+/, '') + '-' + digest
  }
  return body
}

// The file that called useK2MockSandbox (the first stack frame outside the kit), relative to
// its package's root (the nearest folder above it with a package.json; else the current
// directory), so the name is the same whichever folder the runner starts in.
function callerFile () {
  const saved = Error.prepareStackTrace
  let frames = []
  try {
    Error.prepareStackTrace = (_, callSites) => callSites
    frames = new Error().stack || []
  } finally {
    Error.prepareStackTrace = saved
  }
  for (const frame of Array.isArray(frames) ? frames : []) {
    let file = frame.getFileName && frame.getFileName()
    if (!file || file.startsWith('node:') || file.startsWith('internal/')) continue
    if (file.startsWith('file://')) {
      try { file = fileURLToPath(file) } catch (_) { continue }
    }
    if (!path.isAbsolute(file)) continue
    let real = file
    try { real = fs.realpathSync(file) } catch (_) {}
    if (real === KIT || real.startsWith(KIT + path.sep + 'lib' + path.sep) || real.startsWith(KIT + path.sep + 'index.')) continue
    return path.relative(packageRoot(path.dirname(file)), file).split(path.sep).join('/')
  }
  return 'tests'
}

function packageRoot (dir) {
  for (let at = dir; ; at = path.dirname(at)) {
    if (fs.existsSync(path.join(at, 'package.json'))) return at
    if (path.dirname(at) === at) return process.cwd()
  }
}

// The running test's name, from what the beforeEach hook was handed (node:test's context:
// fullName on Node 22.3+, else name; Vitest's {task}) or Jest's and Vitest's expect.getState().
function currentTestName (context) {
  if (context && typeof context.fullName === 'string' && context.fullName) return context.fullName
  try {
    const state = globalThis.expect && typeof globalThis.expect.getState === 'function' && globalThis.expect.getState()
    if (state && typeof state.currentTestName === 'string' && state.currentTestName) return state.currentTestName
  } catch (_) {}
  if (context && context.task && typeof context.task.name === 'string') return context.task.name
  if (context && typeof context.name === 'string' && context.name) return context.name
  return null
}

function resolveHooks (hooks) {
  let found
  if (hooks) {
    found = {
      before: hooks.before || hooks.beforeAll,
      after: hooks.after || hooks.afterAll,
      beforeEach: hooks.beforeEach,
      afterEach: hooks.afterEach
    }
  } else if (typeof globalThis.beforeAll === 'function' && typeof globalThis.afterAll === 'function') {
    found = { // Jest, or Vitest with globals: true
      before: globalThis.beforeAll,
      after: globalThis.afterAll,
      beforeEach: globalThis.beforeEach,
      afterEach: globalThis.afterEach
    }
  } else {
    const nodeTest = require('node:test')
    found = { before: nodeTest.before, after: nodeTest.after, beforeEach: nodeTest.beforeEach, afterEach: nodeTest.afterEach }
  }
  if (typeof found.before !== 'function' || typeof found.after !== 'function') {
    throw new TypeError('hooks must give before/after (or beforeAll/afterAll) functions')
  }
  return found
}

function needHook (hooks, name, why) {
  if (typeof hooks[name] !== 'function') throw new TypeError(`${why} needs a ${name} hook`)
  return hooks[name]
}

// A promise settled by hand, whose rejection is never "unhandled" (the hook reports it).
function deferred () {
  let resolve, reject
  const promise = new Promise((yes, no) => { resolve = yes; reject = no })
  promise.catch(() => {})
  return { promise, resolve, reject }
}

// A stand-in that forwards to what the before hook made (methods bound), plus a few getters.
// Before that: a method call waits for it (node:test runs top-level before hooks side by side,
// so another before hook may call one while k2mock is still starting); a property read throws,
// saying to `await x.ready` first.
function stand (what, current, ready, Type, extras) {
  return new Proxy(Object.create(null), {
    get (_, prop) {
      if (prop === 'then') return undefined
      if (prop === 'ready') return ready
      if (Object.prototype.hasOwnProperty.call(extras, prop)) return extras[prop]()
      const object = current()
      if (object) {
        const value = Reflect.get(object, prop, object)
        return typeof value === 'function' ? value.bind(object) : value
      }
      if (typeof prop === 'symbol') return undefined
      const descriptor = Object.getOwnPropertyDescriptor(Type.prototype, prop) ||
        Object.getOwnPropertyDescriptor(Object.getPrototypeOf(Type.prototype), prop)
      if (descriptor && typeof descriptor.value === 'function') {
        return (...args) => ready.then(() => {
          const made = current()
          if (!made) throw new K2MockError(`${what} has no ${what === 'useK2Mock' ? 'server' : 'sandbox'} now (calling ${prop})`)
          return made[prop](...args)
        })
      }
      throw new K2MockError(`${what} is not started yet (reading ${String(prop)}): it starts in a before hook. ` +
        `In a before hook of your own, \`await ${what === 'useK2Mock' ? 'k2' : 'sandbox'}.ready\` first ` +
        '(node:test runs top-level before hooks side by side)')
    },
    set (_, prop, value) {
      const object = current()
      if (!object) throw new K2MockError(`${what} is not started yet (setting ${String(prop)})`)
      object[prop] = value
      return true
    },
    has (_, prop) {
      return prop === 'ready' || Object.prototype.hasOwnProperty.call(extras, prop) || (current() ? prop in current() : prop in Type.prototype)
    }
  })
}

function receiverOptions (option, apiKey) {
  if (!option) return null
  const given = option === true ? {} : option
  return { apiKey, host: process.env.K2MOCK_CALLBACK_HOST || undefined, ...given }
}

// useK2Mock(options): a k2mock for this file (or describe block), started in before() and
// stopped in after(). `options`: K2Mock.start's, plus
//   receiver: true | {apiKey, statuses, host}: a CallbackReceiver as `.receiver` (api key
//     default: the default scenario's, sandbox_api_key)
//   resetEach: reset k2mock (and clear the receiver) before each test
//   hooks: {before, after, beforeEach} or {beforeAll, afterAll, beforeEach} (default: Jest's
//     or Vitest's globals when there are, else node:test's)
// Returns a stand-in for the K2Mock (`k2.advance(10)`, `k2.baseUrl`), with `.server` (the K2Mock
// itself), `.receiver`, and `.ready` (a promise of the K2Mock: await it in a before hook of your
// own, as node:test runs top-level before hooks side by side).
function useK2Mock (options = {}) {
  const { receiver: receiverOption, resetEach, hooks: given, ...startOptions } = options
  const hooks = resolveHooks(given)
  const state = { server: null, receiver: null, live: false }
  const ready = deferred()
  hooks.before(async () => {
    try {
      state.server = await K2Mock.start(startOptions)
      const receiving = receiverOptions(receiverOption, DEFAULT_CREDENTIALS.apiKey)
      if (receiving) state.receiver = await CallbackReceiver.start(receiving)
    } catch (error) {
      ready.reject(error)
      throw error
    }
    state.live = true
    ready.resolve(state.server)
  })
  if (resetEach) {
    needHook(hooks, 'beforeEach', 'resetEach')(async () => {
      await state.server.reset()
      if (state.receiver) state.receiver.clear()
    })
  }
  hooks.after(async () => {
    if (state.receiver) await state.receiver.stop()
    if (state.server) await state.server.stop()
  })
  return stand('useK2Mock', () => state.live ? state.server : null, ready.promise, K2Mock,
    { server: () => state.server, receiver: () => state.receiver })
}

// useK2MockSandbox(options): a sandbox of its own on a shared k2mock, made in before() (or
// before each test with perTest) and deleted after. The server is `url` (default $K2MOCK_URL,
// with `adminToken`, default $K2MOCK_ADMIN_TOKEN: a CI service container, or one started by a
// global setup), else one started for this file with `server` (K2Mock.start's options).
// `options`: the sandbox's (name, scenario, scenarioYaml, seed, clock, timeScale, ttl), plus
// url, adminToken, server, perTest, hooks, and receiver (keyed with the sandbox's api key;
// its host defaults to $K2MOCK_CALLBACK_HOST). Without `name`, the sandbox is named after the
// test file (with perTest, the file and the test: sandboxName('test/shop.test.js::pays')), never
// after a worker, so its transcript is the same in a serial run and a parallel one. Returns a
// stand-in for the Sandbox, with `.sandbox`, `.server`, `.receiver` and `.ready` (a promise of
// the server, once the sandbox is made).
function useK2MockSandbox (options = {}) {
  const {
    url = process.env.K2MOCK_URL, adminToken = process.env.K2MOCK_ADMIN_TOKEN, server: startOptions = {},
    receiver: receiverOption, perTest, hooks: given, ...sandboxOptions
  } = options
  const hooks = resolveHooks(given)
  const state = { server: null, started: false, sandbox: null, receiver: null, tests: 0 }
  const ready = deferred()
  const file = sandboxOptions.name === undefined ? callerFile() : null

  // Named after the file (perTest: the file and the test); a name that is taken (a crashed
  // run's, another run's on the same server) gets -2, -3, ... A `name` given is used as it is.
  const create = async (testName) => {
    if (sandboxOptions.name !== undefined) return state.server.sandbox(sandboxOptions)
    const name = sandboxName(testName === undefined ? file : `${file}::${testName}`)
    for (let attempt = 1; ; attempt++) {
      try {
        return await state.server.sandbox({ ...sandboxOptions, name: attempt === 1 ? name : `${name}-${attempt}` })
      } catch (error) {
        if (!(error instanceof K2MockConflictError) || attempt >= NAME_TRIES) throw error
      }
    }
  }
  const make = async (testName) => {
    state.sandbox = await create(testName)
    if (state.receiver) {
      state.receiver.apiKey = state.sandbox.apiKey === undefined ? null : state.sandbox.apiKey
      state.receiver.clear()
    }
  }
  const remove = async () => {
    const sandbox = state.sandbox
    state.sandbox = null
    if (!sandbox || sandbox.deleted) return
    try { await sandbox.delete() } catch (error) { if (!(error instanceof K2MockNotFoundError)) throw error }
  }

  hooks.before(async () => {
    try {
      if (url) {
        state.server = await K2Mock.connect(url, { adminToken: adminToken || undefined })
      } else {
        state.server = await K2Mock.start(startOptions)
        state.started = true
      }
      const receiving = receiverOptions(receiverOption, null)
      if (receiving) state.receiver = await CallbackReceiver.start(receiving)
      if (!perTest) await make(undefined)
    } catch (error) {
      ready.reject(error)
      throw error
    }
    ready.resolve(state.server)
  })
  if (perTest) {
    // No declared parameter: Jest takes a hook with one for a done-callback hook.
    needHook(hooks, 'beforeEach', 'perTest')(function () {
      state.tests += 1
      return make(currentTestName(arguments[0]) || `test-${state.tests}`)
    })
    needHook(hooks, 'afterEach', 'perTest')(remove)
  }
  hooks.after(async () => {
    try {
      if (state.server) await remove()
    } finally {
      if (state.receiver) await state.receiver.stop()
      if (state.started) await state.server.stop()
    }
  })
  return stand('useK2MockSandbox', () => state.sandbox, ready.promise, Sandbox, {
    sandbox: () => state.sandbox, server: () => state.server, receiver: () => state.receiver
  })
}

module.exports = { useK2Mock, useK2MockSandbox, sandboxName }
