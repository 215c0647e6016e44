'use strict'
// The checkout against k2mock, through k2mock's Node kit: one k2mock for the file on a manual
// clock (reset before each test), the app configured with nothing but its base URL and the
// default scenario's credentials. Time moves only when a test says so.
const { test, beforeEach, afterEach } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { useK2Mock, kopoKopoSignature } = require('k2mock')
const { createCheckout } = require('../app')

const k2 = useK2Mock({ clock: 'manual', seed: 7, resetEach: true })
const CREDENTIALS = { clientId: 'sandbox_client_id', clientSecret: 'sandbox_client_secret', apiKey: 'sandbox_api_key' }

// A fresh app for each test (no token, no orders), as k2mock is reset before each.
let app
beforeEach(async () => {
  app = createCheckout({ baseUrl: k2.baseUrl, ...CREDENTIALS })
  await app.start()
})
afterEach(() => app.stop())

function call (method, url, body, headers = {}) {
  const payload = body === undefined ? '' : typeof body === 'string' || Buffer.isBuffer(body) ? body : JSON.stringify(body)
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload), ...headers } }, (res) => {
      const chunks = []
      res.on('data', (c) => chunks.push(c))
      res.on('end', () => resolve({ status: res.statusCode, json: JSON.parse(Buffer.concat(chunks).toString() || 'null') }))
    })
    request.on('error', reject)
    request.end(payload)
  })
}

const order = async (id) => (await call('GET', `${app.publicUrl}/orders/${id}`)).json

test('a paid STK push: the signed result marks the order paid', async () => {
  const placed = await call('POST', `${app.publicUrl}/checkout`, { phone: '+254799999999', amount: 1500 })
  assert.deepEqual(placed, { status: 202, json: { order: '1', status: 'pending' } })
  assert.equal((await order('1')).status, 'pending')
  assert.deepEqual((await k2.requests()).map((r) => `${r.method} ${r.path} ${r.status}`),
    ['POST /oauth/token 200', 'POST /api/v2/incoming_payments 201'])

  await k2.advance(10) // the default scenario: Success after 5 s, then the callback
  const [delivery] = await k2.callbacks()
  assert.equal(delivery.url, `${app.publicUrl}/k2/result`)
  assert.deepEqual(delivery.attempts.map((a) => a.status), [200], 'the app accepted it')
  const paid = await order('1')
  assert.equal(paid.status, 'paid')
  assert.equal(paid.reference, JSON.parse(delivery.body).data.attributes.event.resource.reference)
  assert.equal(paid.location, `${k2.baseUrl}/api/v2/incoming_payments/${delivery.resource_id}`)
})

test('the customer cancels (+254700000001): the order fails with K2\'s reason', async () => {
  await call('POST', `${app.publicUrl}/checkout`, { phone: '+254700000001', amount: 1500 })
  await k2.advance(10)
  const cancelled = await order('1')
  assert.deepEqual([cancelled.status, cancelled.reason], ['failed', 'Request cancelled by user'])
})

test('insufficient balance (amount 404) fails; no answer from the customer (408) stays pending', async () => {
  await call('POST', `${app.publicUrl}/checkout`, { phone: '+254799999999', amount: 404 })
  await call('POST', `${app.publicUrl}/checkout`, { phone: '+254799999999', amount: 408 })
  await k2.advance(3600)
  assert.equal((await order('1')).reason, 'The balance is insufficient for the transaction')
  assert.equal((await order('2')).status, 'pending')
  assert.equal((await k2.callbacks()).length, 1)
})

test('a forged or altered result is refused with 401 and changes nothing', async () => {
  await call('POST', `${app.publicUrl}/checkout`, { phone: '+254700000001', amount: 1500 })
  await k2.advance(10)
  const [delivery] = await k2.callbacks()
  const real = Buffer.from(delivery.body)
  const forged = Buffer.from(delivery.body.replace('"Failed"', '"Success"'))
  assert.equal((await call('POST', `${app.publicUrl}/k2/result`, forged, { 'X-KopoKopo-Signature': delivery.signature })).status, 401)
  assert.equal((await call('POST', `${app.publicUrl}/k2/result`, forged, { 'X-KopoKopo-Signature': kopoKopoSignature(forged, 'not-the-key') })).status, 401)
  assert.equal((await call('POST', `${app.publicUrl}/k2/result`, forged)).status, 401)
  assert.equal((await order('1')).status, 'failed')
  assert.equal((await call('POST', `${app.publicUrl}/k2/result`, real, { 'X-KopoKopo-Signature': delivery.signature })).status, 200,
    'the real one, sent again, is still accepted')
})

test('an app keyed with the wrong api key refuses k2mock\'s callbacks, and k2mock retries', async () => {
  const wrong = createCheckout({ baseUrl: k2.baseUrl, ...CREDENTIALS, apiKey: 'sandbox_client_secret' })
  await wrong.start()
  try {
    await call('POST', `${wrong.publicUrl}/checkout`, { phone: '+254799999999', amount: 1500 })
    await k2.advance(10)
    await k2.advance(10) // the first retry, 10 s later
    const [delivery] = await k2.callbacks()
    assert.deepEqual(delivery.attempts.map((a) => a.status), [401, 401])
    assert.equal(delivery.outcome, 'pending')
    assert.equal(wrong.orders.get('1').status, 'pending')
  } finally {
    await wrong.stop()
  }
})

test('a token that expired on K2\'s clock (1 h later) is renewed once', async () => {
  await call('POST', `${app.publicUrl}/checkout`, { phone: '+254799999999', amount: 100 })
  await k2.advance(3600) // the default scenario's tokens live 1 h
  assert.equal((await call('POST', `${app.publicUrl}/checkout`, { phone: '+254799999999', amount: 200 })).status, 202)
  assert.deepEqual((await k2.requests()).map((r) => `${r.method} ${r.path} ${r.status}`), [
    'POST /oauth/token 200', 'POST /api/v2/incoming_payments 201',
    'POST /api/v2/incoming_payments 401', 'POST /oauth/token 200', 'POST /api/v2/incoming_payments 201'])
})

test('K2 refuses the push (an invalid phone): the app answers 502 with K2\'s message', async () => {
  const placed = await call('POST', `${app.publicUrl}/checkout`, { phone: 'not-a-phone', amount: 1500 })
  assert.equal(placed.status, 502)
  assert.match(placed.json.error, /phone/i)
  assert.equal((await order('1')).status, 'error')
})
