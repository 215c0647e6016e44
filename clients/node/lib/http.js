'use strict'
// One HTTP exchange with node:http(s), a fresh connection each (no keep-alive: nothing is left
// open to hold the event loop, or to be cut when k2mock stops).
const http = require('node:http')
const https = require('node:https')

// An HTTP answer: status, headers (names lowercased, as node:http gives them), the body's
// bytes, its text, and its JSON (undefined when it is empty or not JSON).
class Response {
  constructor (status, headers, body) {
    this.status = status
    this.headers = headers
    this.body = body
  }

  get text () { return this.body.toString('utf8') }

  get json () {
    if (!this.body.length) return undefined
    try { return JSON.parse(this.text) } catch (_) { return undefined }
  }

  get location () { return this.headers.location }
}

function send (url, { method = 'GET', headers = {}, body, timeout = 60000 } = {}) {
  const target = new URL(url)
  const client = target.protocol === 'https:' ? https : http
  return new Promise((resolve, reject) => {
    const request = client.request(target, { method, headers, agent: false }, (answer) => {
      const chunks = []
      answer.on('data', (chunk) => chunks.push(chunk))
      answer.on('error', reject)
      answer.on('end', () => resolve(new Response(answer.statusCode, { ...answer.headers }, Buffer.concat(chunks))))
    })
    request.setTimeout(timeout, () => {
      const error = new Error(`no answer within ${timeout} ms`)
      error.code = 'ETIMEDOUT'
      request.destroy(error)
    })
    request.on('error', reject)
    request.end(body)
  })
}

module.exports = { Response, send }
