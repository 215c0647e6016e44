'use strict'
// The CallbackReceiver on its own: what it records, verifies and answers, and how it waits.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { CallbackReceiver, ReceivedCallback, K2MockTimeoutError, kopoKopoSignature, verifySignature } = require('..')

function post (url, body, headers = {}, method = 'POST') {
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method, agent: false, headers: { 'Content-Length': Buffer.byteLength(body), ...headers } }, (answer) => {
      const chunks = []
      answer.on('data', (c) => chunks.push(c))
      answer.on('end', () => resolve({ status: answer.statusCode, headers: answer.headers, text: Buffer.concat(chunks).toString() }))
    })
    request.on('error', reject)
    request.end(body)
  })
}

test('the signature: lowercase hex HMAC-SHA256 of the exact bytes with the api key', () => {
  const body = '{"data":{"id":"x"}}'
  const signature = kopoKopoSignature(body, 'key')
  assert.equal(signature, require('node:crypto').createHmac('sha256', 'key').update(body).digest('hex'))
  assert.match(signature, /^[0-9a-f]{64}$/)
  assert.equal(verifySignature(Buffer.from(body), signature, 'key'), true)
  assert.equal(verifySignature(body, signature.toUpperCase(), 'key'), false, 'K2 sends lowercase')
  assert.equal(verifySignature(body, signature.slice(1), 'key'), false)
  assert.equal(verifySignature(body, undefined, 'key'), false)
  assert.equal(verifySignature(body + ' ', signature, 'key'), false)
})

test('records each POST: path, lowercased headers, exact bytes, verified', async () => {
  const receiver = await CallbackReceiver.start({ apiKey: 'key' })
  try {
    assert.equal(receiver.url(), `http://127.0.0.1:${receiver.port}/k2/result`)
    const body = '{"a": 1,  "b":"é"}' // not compact, not ASCII: kept byte for byte
    const answer = await post(receiver.url('/x?y=1'), body, { 'X-KopoKopo-Signature': kopoKopoSignature(body, 'key'), 'X-Other': 'o' })
    assert.equal(answer.status, 200)
    const [got] = receiver.received
    assert.ok(got instanceof ReceivedCallback)
    assert.deepEqual([got.method, got.path, got.text, got.verified], ['POST', '/x?y=1', body, true])
    assert.ok(got.body.equals(Buffer.from(body)))
    assert.equal(got.headers['x-other'], 'o')
    assert.equal(got.signature, kopoKopoSignature(body, 'key'))
    assert.deepEqual(got.json(), { a: 1, b: 'é' })
    assert.ok(got.receivedAt instanceof Date)
    assert.equal((await post(receiver.url('/nosig'), body)).status, 200)
    assert.equal(receiver.received[1].verified, false, 'no signature header: refused')
    assert.deepEqual(receiver.at('/nosig').length, 1)
    assert.equal((await post(receiver.url(), '', {}, 'GET')).status, 405)
    assert.equal(receiver.received.length, 2, 'only POSTs are kept')
    receiver.clear()
    assert.deepEqual(receiver.received, [])
  } finally {
    await receiver.stop()
  }
})

test('without an api key, verified is null and assertAllVerified says so', async () => {
  const receiver = await CallbackReceiver.start()
  try {
    await post(receiver.url(), '{}')
    assert.equal(receiver.received[0].verified, null)
    assert.throws(() => receiver.assertAllVerified(), /no api key to verify with/)
    receiver.apiKey = 'later'
    await post(receiver.url(), '{}', { 'X-KopoKopo-Signature': kopoKopoSignature('{}', 'later') })
    assert.equal(receiver.received[1].verified, true)
  } finally {
    await receiver.stop()
  }
})

test('scripted answers: statuses at start, respondWith() later, bodies and headers, then 200', async () => {
  const receiver = await CallbackReceiver.start({ statuses: [500] })
  try {
    assert.equal((await post(receiver.url(), '{}')).status, 500)
    receiver.respondWith(429, { status: 202, body: { ok: true }, headers: { 'X-Seen': 'yes' } })
    assert.equal((await post(receiver.url(), '{}')).status, 429)
    const scripted = await post(receiver.url(), '{}')
    assert.deepEqual([scripted.status, scripted.text, scripted.headers['x-seen']], [202, '{"ok":true}', 'yes'])
    assert.equal((await post(receiver.url(), '{}')).status, 200)
  } finally {
    await receiver.stop()
  }
})

test('waitFor(): resolves at once when enough arrived, when the Nth arrives, or rejects after the timeout', async () => {
  const receiver = await CallbackReceiver.start()
  try {
    assert.deepEqual(await receiver.waitFor(0), [])
    const waiting = receiver.waitFor(2, { timeout: 5000 })
    await post(receiver.url(), '1')
    await post(receiver.url(), '2')
    assert.deepEqual((await waiting).map((c) => c.text), ['1', '2'])
    assert.equal((await receiver.waitFor(1)).length, 2)
    await assert.rejects(receiver.waitFor(3, { timeout: 50 }), (error) => {
      assert.ok(error instanceof K2MockTimeoutError)
      assert.deepEqual([error.expected, error.received, error.code], [3, 2, 'K2MOCK_TIMEOUT'])
      assert.equal(error.message, `2 callbacks arrived at http://127.0.0.1:${receiver.port} in 50 ms, not 3`)
      return true
    })
    const pending = receiver.waitFor(9, { timeout: 60000 })
    await receiver.stop()
    await assert.rejects(pending, /the receiver stopped with 2 of 9 callbacks/)
  } finally {
    await receiver.stop()
  }
})

test('a host other than loopback (k2mock in a container) listens on every interface', async () => {
  const receiver = await CallbackReceiver.start({ host: '127.0.0.2' })
  try {
    assert.equal(receiver.url('/r'), `http://127.0.0.2:${receiver.port}/r`)
    assert.equal(receiver._server.address().address, '0.0.0.0')
    assert.equal((await post(receiver.url('/r'), '{}')).status, 200)
  } finally {
    await receiver.stop()
  }
  const local = await CallbackReceiver.start()
  assert.equal(local._server.address().address, '127.0.0.1')
  await local.stop()
})

test('waitFor() is what a real-clock k2mock needs (time scale 1000: 5 sandbox seconds in 5 ms)', async () => {
  const { K2Mock } = require('..')
  const k2 = await K2Mock.start({ clock: 'real', timeScale: 1000 })
  const receiver = await CallbackReceiver.start({ apiKey: 'sandbox_api_key' })
  try {
    const body = { payment_channel: 'M-PESA STK Push', till_number: 'K000000', subscriber: { phone_number: '+254799999999' },
      amount: { currency: 'KES', value: 100 }, _links: { callback_url: receiver.url() } }
    assert.equal((await k2.request('POST', '/api/v2/incoming_payments', body, { token: await k2.accessToken() })).status, 201)
    const [callback] = await receiver.waitFor(1, { timeout: 10000 })
    assert.equal(callback.verified, true)
    assert.equal(callback.json().data.attributes.status, 'Success')
  } finally {
    await receiver.stop()
    await k2.stop()
  }
})
