'use strict'
// K2Mock: `k2mock serve` on 127.0.0.1 and a free port (or one that runs already), its admin API
// as methods; Sandbox: one of its isolated sandboxes, with the same methods.
const assert = require('node:assert')
const fs = require('node:fs')
const path = require('node:path')
const { findBinary } = require('./binary')
const { startServer } = require('./child')
const { send } = require('./http')
const {
  K2MockError, K2MockAPIError, K2MockNotFoundError, K2MockUnreachableError, BY_STATUS
} = require('./errors')

const DEFAULT_CREDENTIALS = { clientId: 'sandbox_client_id', clientSecret: 'sandbox_client_secret', apiKey: 'sandbox_api_key' }
const START_OPTIONS = ['scenario', 'clock', 'timeScale', 'seed', 'adminToken', 'args', 'bin', 'env', 'cwd', 'startTimeout']
const SANDBOX_OPTIONS = ['name', 'scenario', 'scenarioYaml', 'seed', 'clock', 'timeScale', 'ttl']

function checkOptions (what, options, known) {
  if (options === null || typeof options !== 'object') throw new TypeError(`${what}: options must be an object`)
  const unknown = Object.keys(options).filter((key) => !known.includes(key) && options[key] !== undefined)
  if (unknown.length) {
    throw new TypeError(`${what} has no option ${unknown.join(', ')} (it takes ${known.join(', ')})`)
  }
}

const UPDATE_VARIABLE = 'K2MOCK_UPDATE_SNAPSHOTS'

// K2MOCK_UPDATE_SNAPSHOTS=1 (or true/yes): assertTranscript rewrites its snapshot files.
function updatingSnapshots () {
  const value = (process.env[UPDATE_VARIABLE] || '').trim().toLowerCase()
  return value !== '' && !['0', 'false', 'no', 'off'].includes(value)
}

// assertTranscript's failure: node:assert's AssertionError (what every runner reports as a
// failed assertion), with the snapshot's absolute path and k2mock's differences.
function snapshotFailure (message, snapshot, differences) {
  const failure = new assert.AssertionError({ message, operator: 'k2mock transcript' })
  failure.snapshot = snapshot
  failure.differences = differences
  return failure
}

function query (params) {
  const pairs = Object.entries(params).filter(([, value]) => value !== undefined && value !== null)
  return pairs.length ? '?' + new URLSearchParams(pairs.map(([k, v]) => [k, String(v)])).toString() : ''
}

// The admin API of one sandbox: the server's own (K2Mock, under /__admin) or one made beside it
// (Sandbox, under /__admin/sandboxes/{id}).
class AdminAPI {
  // The base URL in the form the official Node SDK takes it (k2-connect-node: no trailing
  // slash): http://127.0.0.1:PORT.
  get baseUrl () { return this.origin }

  // The base URL as each official SDK takes it: Python and Ruby with a trailing `/`, Node and
  // PHP without.
  get baseUrls () {
    return { node: this.origin, php: this.origin, python: this.origin + '/', ruby: this.origin + '/' }
  }

  get port () {
    const url = new URL(this.origin)
    return Number(url.port) || (url.protocol === 'https:' ? 443 : 80)
  }

  // Any request to k2mock: `path` on this server, or a full URL (a K2 `location`). `body`: a
  // Buffer or string as it is, anything else as JSON. `token` is sent as `Authorization: Bearer`.
  // Resolves a Response for any status; rejects only when nothing answers (`timeout` ms).
  async request (method, path, body, { token, headers = {}, timeout = 60000 } = {}) {
    const payload = body === undefined || body === null ? undefined
      : Buffer.isBuffer(body) ? body : Buffer.from(typeof body === 'string' ? body : JSON.stringify(body))
    const sent = { Accept: 'application/json' }
    if (payload !== undefined) {
      sent['Content-Type'] = 'application/json'
      sent['Content-Length'] = String(payload.length)
    }
    if (token !== undefined && token !== null) sent.Authorization = 'Bearer ' + token
    for (const [name, value] of Object.entries(headers)) {
      for (const existing of Object.keys(sent)) if (existing.toLowerCase() === name.toLowerCase()) delete sent[existing]
      sent[name] = value
    }
    const url = /^https?:\/\//i.test(path) ? path : this.origin + path // a K2 location is a full URL
    return send(url, { method, headers: sent, body: payload, timeout })
  }

  // An admin call (`path` under this sandbox's /__admin root); resolves its JSON, rejects with
  // a typed K2MockAPIError for another status than `expect`, K2MockUnreachableError when nothing
  // answers.
  async admin (method, path, body, options) {
    return (await this._adminCall(method, path, body, options)).json
  }

  // admin()'s exchange, resolving the whole Response (for the answers that are not JSON).
  async _adminCall (method, path, body, { expect = 200, timeout = 120000 } = {}) {
    const full = this._adminRoot + path
    const token = this.adminToken
    let answer
    try {
      answer = await this.request(method, full, body, { headers: token ? { Authorization: 'Bearer ' + token } : {}, timeout })
    } catch (error) {
      throw new K2MockUnreachableError(`k2mock at ${this.origin} does not answer (${method} ${full}): ${error.code || error.message}`,
        { url: this.origin, cause: error })
    }
    if (answer.status === expect) return answer
    const text = answer.text
    const short = text.length > 300 ? text.slice(0, 300) + '…' : text
    const errorMessage = answer.json && typeof answer.json.error_message === 'string' ? answer.json.error_message : short
    const description = answer.status === 401
      ? `the admin API refused the admin token (${token ? 'wrong token' : 'none was given'}): ${short}`
      : `${method} ${full} answered ${answer.status}: ${errorMessage}`
    const Type = BY_STATUS[answer.status] || K2MockAPIError
    throw new Type(description, { method, path: full, status: answer.status, errorMessage, body: text })
  }

  // {status, scenario, clock, deliveries}
  health () { return this.admin('GET', '/health') }

  // {now, mode, scale}: sandbox time now.
  clock () { return this.admin('GET', '/clock') }

  // Moves sandbox time `seconds` forward and runs what falls due, callbacks included; resolves
  // once they ran: {now, mode, scale, ran: [...]}.
  advance (seconds) {
    if (typeof seconds !== 'number' || !Number.isFinite(seconds) || seconds < 0) {
      return Promise.reject(new TypeError(`advance(seconds): a number of seconds >= 0, not ${seconds}`))
    }
    return this.admin('POST', '/clock/advance', { seconds })
  }

  // Back to the scenario's start: clock, fixtures, tokens; created resources and journals gone.
  reset () { return this.admin('POST', '/reset') }

  // Every callback and webhook delivery, oldest first, each with its attempts.
  callbacks ({ limit, resourceId } = {}) { return this.admin('GET', '/callbacks' + query({ limit, resource_id: resourceId })) }

  // Sends delivery `id` once more, now; resolves its journal entry.
  redeliver (id) { return this.admin('POST', `/callbacks/${encodeURIComponent(id)}/redeliver`) }

  // The K2 API requests answered (not /__admin), oldest first: {id, at, method, path, status}.
  requests ({ limit } = {}) { return this.admin('GET', '/requests' + query({ limit })) }

  // Why k2mock answered request `id` (an `id` from requests()) as it did:
  // {request, summary, k2_message, details, ignored_keys}. For a refused one, `summary` names the
  // field K2 wanted and what the body had instead; `ignored_keys` lists the keys K2 does not read.
  // K2MockNotFoundError (carrying k2mock's message) when there is no such request, or it is no
  // longer kept.
  explainRequest (id) {
    if (!Number.isSafeInteger(id) || id < 0) {
      return Promise.reject(new TypeError(`explainRequest(id): a request's id from requests(), a whole number, not ${JSON.stringify(id)}`))
    }
    return this.admin('GET', '/explain' + query({ request: id }))
  }

  // Why resource `id` (a created one's id, or a fixture's) is where it is:
  // {resource, summary, timeline, callback}: its stage, the rule or timeline that chose its
  // stages and when each falls due, and its callback's state ('not due yet', 'delivered',
  // 'retrying', ...) with why. `timeline` and `callback` are null for fixtures.
  // K2MockNotFoundError (carrying k2mock's message) when there is no such resource.
  explainResource (id) {
    if (typeof id !== 'string' || !id) {
      return Promise.reject(new TypeError(`explainResource(id): a resource's id, a non-empty string, not ${JSON.stringify(id)}`))
    }
    return this.admin('GET', '/explain' + query({ resource: id }))
  }

  // Every resource: fixtures first (stage and created_at null), then created ones, oldest first.
  resources () { return this.admin('GET', '/resources') }

  // Fires webhook event `topic` now to every subscription for it. `resource` sets fields of the
  // topic's default resource; `delay` ('30s'), `duplicates` and `badSignature` misbehave on purpose.
  fireEvent (topic, resource, { delay, duplicates, badSignature } = {}) {
    const body = { topic }
    if (resource !== undefined && resource !== null) body.resource = resource
    if (delay !== undefined) body.delay = typeof delay === 'number' ? `${delay}s` : delay
    if (duplicates !== undefined) body.duplicates = duplicates
    if (badSignature) body.bad_signature = true
    return this.admin('POST', '/events', body)
  }

  // The scenario's `expect` entries checked now: {passed, results: [{description, expected, actual, passed}]}.
  expectations () { return this.admin('GET', '/expectations') }

  // Throws node:assert's AssertionError naming every expectation that does not hold.
  async assertExpectations () {
    const { results } = await this.expectations()
    const failures = results.filter((result) => !result.passed)
    if (failures.length) {
      throw new assert.AssertionError({
        message: 'k2mock expectations failed:\n' + failures.map((f) => '  ' + f.description).join('\n'),
        actual: failures.map((f) => f.actual),
        expected: failures.map((f) => f.expected),
        operator: 'k2mock expectations'
      })
    }
  }

  // This sandbox's whole conversation as k2mock writes it (YAML text: a header, then each K2
  // API request with its answer, each delivery attempt, each clock advance; ports as
  // placeholders). `snapshot: true` asks for one fit to compare with a later run's: on a real
  // clock k2mock refuses it (K2MockConflictError, 409, carrying k2mock's message).
  async transcript ({ snapshot = false } = {}) {
    return (await this._adminCall('GET', '/transcript' + (snapshot ? '?snapshot=true' : ''))).text
  }

  // k2mock's comparison of two transcripts: {equal, differences: ['entry 2, POST ...: ...']}.
  // K2MockAPIError (400) when one side is not a transcript (its message names the side and line).
  diffTranscripts (expected, actual) {
    if (typeof expected !== 'string' || typeof actual !== 'string') {
      return Promise.reject(new TypeError('diffTranscripts(expected, actual): two transcript texts'))
    }
    return this.admin('POST', '/transcript/diff', { expected, actual })
  }

  // A snapshot test of the whole conversation: this sandbox's transcript (snapshot=true, so a
  // real clock is refused with K2MockConflictError) against the file `file` (a relative path
  // resolves against the current directory, process.cwd()). No file yet, or
  // K2MOCK_UPDATE_SNAPSHOTS=1: writes it (and its folders) and passes. The same bytes: passes.
  // Else throws node:assert's AssertionError naming the file and listing k2mock's differences
  // (POST /__admin/transcript/diff), or k2mock's reason when the file is not a transcript.
  async assertTranscript (file) {
    if (typeof file !== 'string' || !file) {
      throw new TypeError(`assertTranscript(path): a snapshot file's path, not ${JSON.stringify(file)}`)
    }
    const where = path.resolve(file)
    const answer = await this._adminCall('GET', '/transcript?snapshot=true')
    const actual = answer.text
    let expected = null
    if (!updatingSnapshots()) {
      try {
        expected = await fs.promises.readFile(where)
      } catch (error) {
        if (error.code !== 'ENOENT') throw error
      }
    }
    if (expected === null) {
      await fs.promises.mkdir(path.dirname(where), { recursive: true })
      await fs.promises.writeFile(where, answer.body)
      return
    }
    if (expected.equals(answer.body)) return
    const advice = `To accept this run's transcript as the snapshot, run the test again with ${UPDATE_VARIABLE}=1.`
    let differences
    try {
      ({ differences } = await this.diffTranscripts(expected.toString('utf8'), actual))
    } catch (error) {
      if (!(error instanceof K2MockAPIError) || error.status !== 400) throw error
      throw snapshotFailure(`k2mock transcript: the snapshot ${where} cannot be compared: ${error.errorMessage}\n${advice}`,
        where, [])
    }
    const lines = differences && differences.length
      ? differences.map((line) => '  ' + line)
      : ['  (k2mock\'s diff finds no difference in content: the file\'s bytes differ in form only, such as its line endings)']
    throw snapshotFailure(`k2mock transcript differs from the snapshot ${where}:\n${lines.join('\n')}\n${advice}`,
      where, differences || [])
  }

  kinds () { return this.admin('GET', '/kinds') }
  topics () { return this.admin('GET', '/topics') }

  // An OAuth token for `clientId`/`clientSecret` (by default this sandbox's first credential;
  // on the server's own, the default scenario's), as an app would ask for it.
  async accessToken ({ clientId, clientSecret } = {}) {
    const fallback = this._defaultCredentials()
    const form = new URLSearchParams({
      grant_type: 'client_credentials',
      client_id: clientId || fallback.clientId,
      client_secret: clientSecret || fallback.clientSecret
    }).toString()
    let answer
    try {
      answer = await this.request('POST', '/oauth/token', form, { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    } catch (error) {
      throw new K2MockUnreachableError(`k2mock at ${this.origin} does not answer (POST /oauth/token): ${error.code || error.message}`,
        { url: this.origin, cause: error })
    }
    if (answer.status !== 200) {
      throw new K2MockAPIError(`POST /oauth/token answered ${answer.status}: ${answer.text}`,
        { method: 'POST', path: '/oauth/token', status: answer.status, errorMessage: answer.text, body: answer.text })
    }
    return answer.json.access_token
  }
}

class K2Mock extends AdminAPI {
  constructor () {
    super()
    this.origin = undefined
    this.adminToken = undefined
    this.scenario = undefined
    this.log = [] // the last 1000 lines k2mock wrote on stderr
    this._adminRoot = '/__admin'
    this._child = null
    this._exited = null
    this._exit = null
  }

  // Starts `k2mock serve --host 127.0.0.1 --port 0` and resolves once it listens.
  // options: scenario (a file; none: the built-in default), clock ('manual' | 'real'),
  // timeScale, seed, adminToken, args (more `serve` arguments), bin (else $K2MOCK_BIN, else
  // PATH), env, cwd, startTimeout (ms, default 10000).
  static async start (options = {}) {
    checkOptions('K2Mock.start', options, START_OPTIONS)
    const { scenario, clock, timeScale, seed, adminToken, bin, env = process.env, cwd, startTimeout = 10000 } = options
    let { args = [] } = options
    if (typeof args === 'string') args = args.split(/\s+/).filter(Boolean)
    const binary = findBinary(bin, env)
    const command = ['serve', '--host', '127.0.0.1', '--port', '0']
    if (scenario !== undefined && scenario !== null) command.push('--scenario', String(scenario))
    if (clock !== undefined) command.push('--clock', String(clock))
    if (timeScale !== undefined) command.push('--time-scale', String(timeScale))
    if (seed !== undefined) command.push('--seed', String(seed))
    if (adminToken !== undefined && adminToken !== null) command.push('--admin-token', String(adminToken))
    command.push(...args.map(String))

    const started = await startServer(binary, command, { env, cwd, startTimeout })
    const server = new K2Mock()
    server.origin = started.origin
    server.adminToken = adminToken === null ? undefined : adminToken
    server.scenario = scenario === undefined || scenario === null ? undefined : String(scenario)
    server.log = started.log
    server.binary = binary
    server.watched = started.watched
    server._child = started.child
    server._exited = started.exited.then((end) => { server._exit = end; return end })
    return server
  }

  // A k2mock this process did not start, at `url` (http://HOST:PORT); stop() leaves it
  // running. Waits up to `timeout` ms for it to answer (a service container still starting);
  // a refused admin token rejects at once with K2MockAdminTokenError.
  static async connect (url, { adminToken, timeout = 10000 } = {}) {
    let parsed
    try { parsed = new URL(String(url).trim()) } catch (_) { parsed = null }
    if (!parsed || !['http:', 'https:'].includes(parsed.protocol) || !parsed.hostname ||
        parsed.pathname.replace(/\/+$/, '') !== '' || parsed.search || parsed.username) {
      throw new K2MockError(`not a k2mock URL (http://HOST:PORT): ${JSON.stringify(url)}`)
    }
    const server = new K2Mock()
    server.origin = parsed.origin
    server.adminToken = adminToken || undefined
    const deadline = Date.now() + timeout
    for (;;) {
      try {
        const health = await server.admin('GET', '/health', undefined, { timeout: Math.max(1000, Math.min(5000, deadline - Date.now())) })
        server.scenario = health.scenario
        return server
      } catch (error) {
        if (error instanceof K2MockAPIError && error.status !== 401) {
          throw new K2MockError(`${server.origin} is not k2mock, or not its admin API: GET /__admin/health answered ` +
            `${error.status}: ${error.errorMessage}`, { cause: error })
        }
        if (!(error instanceof K2MockUnreachableError)) throw error
        if (Date.now() >= deadline) {
          error.message += ` (waited ${timeout} ms)`
          throw error
        }
        await new Promise((resolve) => setTimeout(resolve, Math.min(100, Math.max(0, deadline - Date.now()))))
      }
    }
  }

  // True for a server from connect() (not started, and never stopped, by this object).
  get connected () { return this._child === null }

  // k2mock's process id (undefined for a connected server).
  get pid () { return this._child ? this._child.pid : undefined }

  // The started process has not exited (undefined for a connected server).
  get running () { return this._child ? this._exit === null : undefined }

  // Its exit status once it exited: the code, or the signal's name.
  get exitCode () { return this._exit ? (this._exit.code ?? this._exit.signal) : null }

  // SIGTERM, then waits for it to exit (callbacks under way get 1 s); SIGKILL after
  // `timeout` ms. Resolves the exit status (0); null for a connected server, left running.
  async stop ({ timeout = 10000 } = {}) {
    if (!this._child) return null
    const child = this._child
    if (this._exit === null) {
      child.ref()
      child.kill('SIGTERM')
      let timer
      const late = new Promise((resolve) => { timer = setTimeout(resolve, timeout, 'late') })
      if (await Promise.race([this._exited, late]) === 'late') child.kill('SIGKILL')
      clearTimeout(timer)
      await this._exited
    }
    return this.exitCode
  }

  // Makes a sandbox on this server, isolated from every other: its own clock, resources,
  // journals and credentials (the scenario's with -<name> appended).
  // options: name, scenario (a path the server reads), scenarioYaml, seed, clock, timeScale,
  // ttl ('30m', or seconds).
  async sandbox (options = {}) {
    checkOptions('sandbox', options, SANDBOX_OPTIONS)
    const { name, scenario, scenarioYaml, seed, clock, timeScale, ttl } = options
    const body = {}
    if (name !== undefined) body.name = name
    if (scenario !== undefined) body.scenario = String(scenario)
    if (scenarioYaml !== undefined) body.scenario_yaml = scenarioYaml
    if (seed !== undefined) body.seed = seed
    if (clock !== undefined) body.clock = clock
    if (timeScale !== undefined) body.time_scale = timeScale
    if (ttl !== undefined) body.ttl = typeof ttl === 'number' ? `${ttl}s` : ttl
    return new Sandbox(this, await this.admin('POST', '/sandboxes', body, { expect: 201 }))
  }

  // Every sandbox made beside the server's own, oldest first.
  async sandboxes () {
    return (await this.admin('GET', '/sandboxes')).map((entry) => new Sandbox(this, entry))
  }

  // The sandbox `id` (made by another process, say); K2MockNotFoundError if there is none.
  async getSandbox (id) {
    return new Sandbox(this, await this.admin('GET', '/sandboxes/' + encodeURIComponent(id)))
  }

  _defaultCredentials () { return DEFAULT_CREDENTIALS }

  toString () { return `K2Mock ${this.connected ? 'connected to' : 'started at'} ${this.origin}` }
}

class Sandbox extends AdminAPI {
  constructor (server, entry) {
    super()
    this.server = server
    this.origin = server.origin
    this.id = entry.id
    this.name = entry.name || entry.id
    this.scenario = entry.scenario
    this.seed = entry.seed
    this.ttl = entry.ttl
    // [{client_id, client_secret, api_key}]: the scenario's with -<name> appended.
    this.credentials = (entry.credentials || []).map((c) => ({ ...c }))
    this.tokens = (entry.tokens || []).map((t) => ({ ...t }))
    this.adminUrl = entry.admin
    this.info = entry
    this.deleted = false
    this._adminRoot = '/__admin/sandboxes/' + encodeURIComponent(this.id)
  }

  get adminToken () { return this.server.adminToken }
  get clientId () { return this.credentials.length ? this.credentials[0].client_id : undefined }
  get clientSecret () { return this.credentials.length ? this.credentials[0].client_secret : undefined }
  // The first credential's api key: it signs this sandbox's callbacks.
  get apiKey () { return this.credentials.length ? this.credentials[0].api_key : undefined }
  // The first pre-issued token.
  get token () { return this.tokens.length ? this.tokens[0].value : undefined }

  // Ends it: its tokens answer 401 from then on, its pending deliveries are dropped. Resolves
  // {id, deleted, dropped_deliveries}; K2MockNotFoundError if it is gone already.
  async delete () {
    const answer = await this.server.admin('DELETE', '/sandboxes/' + encodeURIComponent(this.id))
    this.deleted = true
    return answer
  }

  _defaultCredentials () {
    if (!this.credentials.length) throw new K2MockError(`sandbox ${this.id}'s scenario has no credentials`)
    return { clientId: this.clientId, clientSecret: this.clientSecret }
  }

  toString () { return `Sandbox ${this.id} on ${this.origin}${this.deleted ? ' (deleted)' : ''}` }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  K2Mock.prototype[Symbol.asyncDispose] = function () { return this.stop() }
  Sandbox.prototype[Symbol.asyncDispose] = async function () {
    if (this.deleted) return
    try { await this.delete() } catch (error) { if (!(error instanceof K2MockNotFoundError)) throw error }
  }
}

module.exports = { K2Mock, Sandbox, AdminAPI, DEFAULT_CREDENTIALS }
