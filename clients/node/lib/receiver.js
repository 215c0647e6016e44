'use strict'
// A callback receiver on a free port: keeps every POST and checks K2's signature.
const crypto = require('node:crypto')
const http = require('node:http')
const assert = require('node:assert')
const { K2MockTimeoutError } = require('./errors')

// X-KopoKopo-Signature: lowercase hex HMAC-SHA256 of the exact body bytes, keyed with the api key.
function kopoKopoSignature (body, apiKey) {
  return crypto.createHmac('sha256', String(apiKey)).update(body).digest('hex')
}

// Whether `signature` is right for `body` and `apiKey` (constant time).
function verifySignature (body, signature, apiKey) {
  if (typeof signature !== 'string') return false
  const expected = Buffer.from(kopoKopoSignature(body, apiKey))
  const given = Buffer.from(signature)
  return given.length === expected.length && crypto.timingSafeEqual(given, expected)
}

// One POST the receiver got.
class ReceivedCallback {
  constructor ({ method, path, headers, body, verified, receivedAt }) {
    this.method = method
    this.path = path
    this.headers = headers // names lowercased
    this.body = body // a Buffer: the exact bytes
    this.verified = verified // true/false; null when the receiver has no api key
    this.receivedAt = receivedAt
  }

  get text () { return this.body.toString('utf8') }
  get signature () { return this.headers['x-kopokopo-signature'] }
  json () { return JSON.parse(this.text) }
}

const LOOPBACK = ['127.0.0.1', 'localhost']

class CallbackReceiver {
  // options: apiKey (verify each POST's signature with it), statuses (the answers of the first
  // POSTs), host (the name k2mock reaches this machine by: default 127.0.0.1 and loopback only;
  // any other, e.g. host.docker.internal, listens on every interface), port (default: free).
  static async start ({ apiKey, statuses = [], host, port = 0 } = {}) {
    const receiver = new CallbackReceiver()
    receiver.apiKey = apiKey === undefined ? null : apiKey
    receiver.host = host || '127.0.0.1'
    receiver._answers = [...statuses]
    const listen = LOOPBACK.includes(receiver.host) ? '127.0.0.1' : '0.0.0.0'
    receiver._server = http.createServer((req, res) => receiver._handle(req, res))
    await new Promise((resolve, reject) => {
      receiver._server.once('error', reject)
      receiver._server.listen(port, listen, () => { receiver._server.off('error', reject); resolve() })
    })
    // A receiver the tests forget to stop does not hold the event loop open.
    receiver._server.unref()
    receiver.port = receiver._server.address().port
    return receiver
  }

  constructor () {
    this.received = []
    this._waiters = []
  }

  _handle (req, res) {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => {
      if (req.method !== 'POST') {
        res.writeHead(405, { Allow: 'POST', 'Content-Length': '0' })
        res.end()
        return
      }
      const body = Buffer.concat(chunks)
      const headers = { ...req.headers }
      const verified = this.apiKey === null ? null : verifySignature(body, headers['x-kopokopo-signature'], this.apiKey)
      const callback = new ReceivedCallback({ method: req.method, path: req.url, headers, body, verified, receivedAt: new Date() })
      let answer = this._answers.length ? this._answers.shift() : 200
      if (typeof answer === 'number') answer = { status: answer }
      this.received.push(callback)
      this._notify()
      const payload = answer.body === undefined ? Buffer.alloc(0)
        : Buffer.from(typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body))
      res.writeHead(answer.status || 200, { 'Content-Length': String(payload.length), ...(answer.headers || {}) })
      res.end(payload)
    })
  }

  _notify () {
    this._waiters = this._waiters.filter((waiter) => {
      if (this.received.length < waiter.count) return true
      clearTimeout(waiter.timer)
      waiter.resolve([...this.received])
      return false
    })
  }

  // A URL on this receiver, for a callback_url or a webhook subscription.
  url (path = '/k2/result') { return `http://${this.host}:${this.port}${path}` }

  // The answers the next POSTs get, in order (then 200): a status (500 makes k2mock retry) or
  // {status, body, headers}.
  respondWith (...answers) { this._answers = answers.flat() }

  // The POSTs received at `path`.
  at (path) { return this.received.filter((callback) => callback.path === path) }

  // Forget what was received (and any scripted answers left).
  clear () { this.received.length = 0; this._answers = [] }

  // Resolves the received POSTs once there are `count`, on the wall clock (for a real-clock
  // k2mock); rejects with K2MockTimeoutError after `timeout` ms.
  waitFor (count, { timeout = 10000 } = {}) {
    if (this.received.length >= count) return Promise.resolve([...this.received])
    return new Promise((resolve, reject) => {
      const waiter = { count, resolve, reject, timeout }
      waiter.timer = setTimeout(() => {
        this._waiters = this._waiters.filter((w) => w !== waiter)
        reject(new K2MockTimeoutError(
          `${this.received.length} callback${this.received.length === 1 ? '' : 's'} arrived at ${this.url('')} in ${timeout} ms, not ${count}`,
          { expected: count, received: this.received.length }))
      }, timeout)
      this._waiters.push(waiter)
    })
  }

  // Throws node:assert's AssertionError if any POST's signature was wrong (needs an api key).
  assertAllVerified () {
    if (this.apiKey === null) throw new assert.AssertionError({ message: 'the receiver has no api key to verify with' })
    const bad = this.received.filter((callback) => !callback.verified)
    if (bad.length) {
      throw new assert.AssertionError({
        message: `${bad.length} callback${bad.length === 1 ? '' : 's'} with a wrong signature: ${bad.map((c) => c.path).join(', ')}`
      })
    }
  }

  stop () {
    for (const waiter of this._waiters) {
      clearTimeout(waiter.timer)
      waiter.reject(new K2MockTimeoutError(`the receiver stopped with ${this.received.length} of ${waiter.count} callbacks`,
        { expected: waiter.count, received: this.received.length }))
    }
    this._waiters = []
    return new Promise((resolve) => {
      if (!this._server.listening) return resolve()
      this._server.close(() => resolve())
      if (this._server.closeAllConnections) this._server.closeAllConnections()
    })
  }
}

if (typeof Symbol.asyncDispose === 'symbol') {
  CallbackReceiver.prototype[Symbol.asyncDispose] = function () { return this.stop() }
}

module.exports = { CallbackReceiver, ReceivedCallback, kopoKopoSignature, verifySignature }
