'use strict'
// "Why was it refused?": explainRequest(id) and explainResource(id) on a K2Mock, a Sandbox and the
// useK2Mock/useK2MockSandbox stand-ins. The default scenario, a manual clock and seed 3: every
// answer here is the same in each run.
const { test, describe, before, after } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./helpers')
const { K2Mock, useK2Mock, useK2MockSandbox, K2MockNotFoundError, K2MockAPIError } = require('..')

const CALLBACK = 'https://shop.example/k2/result'

// An STK push as K2's docs have it, but for the payer under `customer`, where K2 reads `subscriber`.
const withCustomer = () => {
  const body = h.stkPush(CALLBACK)
  body.customer = body.subscriber
  delete body.subscriber
  return body
}

// Sends the refused push and a good one on `api` with `token`; resolves the good one's id.
async function refusedThenPaid (api, token) {
  const refused = await api.request('POST', '/api/v1/incoming_payments', withCustomer(), { token })
  assert.equal(refused.status, 400, refused.text)
  assert.equal(refused.json.error_message, 'subscriber is required')
  const paid = await api.request('POST', '/api/v1/incoming_payments', h.stkPush(CALLBACK), { token })
  assert.equal(paid.status, 201, paid.text)
  return paid.location.split('/').pop()
}

// The refused request's explanation names `subscriber` and the `customer` K2 ignored.
async function assertRefusalExplained (api) {
  const [first, second] = await api.requests()
  assert.deepEqual([first.id, first.status, second.id, second.status], [1, 400, 2, 201], 'requests() carry their ids')
  const why = await api.explainRequest(first.id)
  assert.deepEqual(why.request, first)
  assert.equal(why.k2_message, 'subscriber is required')
  assert.match(why.summary, /^subscriber is required: /)
  assert.match(why.summary, /`customer` where K2 reads `subscriber`/)
  assert.deepEqual(why.ignored_keys, ['customer'])
  assert.ok(Array.isArray(why.details))
  const fine = await api.explainRequest(second.id)
  assert.deepEqual([fine.k2_message, fine.ignored_keys, fine.request.status], [null, [], 201])
}

let k2
before(async () => { k2 = await K2Mock.start({ clock: 'manual', seed: 3, adminToken: 'adm' }) })
after(async () => { assert.equal(await k2.stop(), 0) })

test('explainRequest(): a refused STK push with `customer` for `subscriber` is explained', async () => {
  await k2.reset()
  await refusedThenPaid(k2, h.DOCS_TOKEN)
  await assertRefusalExplained(k2)
  // k2mock's log line for the refusal ends with the same summary (the log comes in batches: wait for it).
  const { summary } = await k2.explainRequest(1)
  const deadline = Date.now() + 5000
  while (!k2.log.some((line) => line.endsWith(` 400 — ${summary}`)) && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  assert.ok(k2.log.some((line) => line.endsWith(`POST /api/v1/incoming_payments 400 — ${summary}`)), k2.log.join('\n'))
})

test('explainResource(): stage, timeline and callback, before and after it is due; a fixture has neither', async () => {
  await k2.reset()
  const id = await refusedThenPaid(k2, h.DOCS_TOKEN)
  const pending = await k2.explainResource(id)
  assert.deepEqual(pending.resource, {
    kind: 'incoming_payment', id, path: `/api/v1/incoming_payments/${id}`, stage: 'Pending', created_at: '2026-01-01T03:00:00.000+03:00'
  })
  assert.match(pending.summary, new RegExp(`^incoming_payment ${id} is Pending; Success is due at 2026-01-01T03:00:05.000\\+03:00`))
  assert.deepEqual(pending.timeline.steps.map((s) => [s.stage, s.at, s.reached]),
    [['Pending', '2026-01-01T03:00:00.000+03:00', true], ['Success', '2026-01-01T03:00:05.000+03:00', false]])
  assert.equal(pending.timeline.now, '2026-01-01T03:00:00.000+03:00')
  assert.equal(typeof pending.timeline.chosen_by, 'string')
  assert.equal(pending.callback.state, 'not due yet')
  assert.equal(pending.callback.url, CALLBACK)
  assert.match(pending.callback.why, /manual clock/)
  assert.equal(pending.callback.signed_with.client, 'sandbox_client_id')

  await k2.advance(5) // Success; its callback's first attempt fails (shop.example does not resolve)
  const success = await k2.explainResource(id)
  assert.equal(success.resource.stage, 'Success')
  assert.equal(success.callback.state, 'retrying')
  assert.deepEqual(success.callback.attempts.map((a) => [a.attempt, a.at, a.status, a.outcome]),
    [[1, '2026-01-01T03:00:05.000+03:00', null, 'failed']])
  assert.equal(success.callback.delivery, (await k2.callbacks())[0].id)

  const fixture = await k2.explainResource(h.DOCS_PAYMENT.split('/').pop())
  assert.deepEqual([fixture.resource.kind, fixture.resource.stage, fixture.timeline, fixture.callback], ['payment', null, null, null])
  assert.match(fixture.summary, /fixture/)
})

test('an unknown id rejects with K2MockNotFoundError carrying k2mock\'s message; a malformed one with TypeError', async () => {
  await k2.reset()
  await assert.rejects(k2.explainRequest(99), (error) => {
    assert.ok(error instanceof K2MockNotFoundError)
    assert.equal(error.status, 404)
    assert.match(error.errorMessage, /^No request 99: /)
    assert.equal(error.message, `GET /__admin/explain?request=99 answered 404: ${error.errorMessage}`)
    return true
  })
  await assert.rejects(k2.explainResource('no-such-payment'), (error) =>
    error instanceof K2MockNotFoundError && error.errorMessage === 'No resource no-such-payment in this sandbox')
  for (const wrong of ['1', 1.5, -1, undefined]) await assert.rejects(k2.explainRequest(wrong), TypeError)
  for (const wrong of ['', 7, undefined]) await assert.rejects(k2.explainResource(wrong), TypeError)
  await assert.rejects(k2.admin('GET', '/explain'), (error) => error instanceof K2MockAPIError && error.status === 400)
})

test('a Sandbox explains its own requests and resources (the admin token sent), not the server\'s', async () => {
  await k2.reset()
  const sandbox = await k2.sandbox({ name: 'explained', seed: 3, clock: 'manual' })
  try {
    const id = await refusedThenPaid(sandbox, sandbox.token)
    await assertRefusalExplained(sandbox)
    assert.equal((await sandbox.explainResource(id)).resource.stage, 'Pending')
    await assert.rejects(k2.explainRequest(1), K2MockNotFoundError, 'the server\'s own sandbox answered none')
    await assert.rejects(k2.explainResource(id), K2MockNotFoundError)
  } finally {
    await sandbox.delete()
  }
  await assert.rejects(sandbox.explainRequest(1), (error) => error instanceof K2MockNotFoundError && /^Sandbox explained was deleted/.test(error.errorMessage))
})

describe('useK2Mock\'s stand-in', () => {
  const mock = useK2Mock({ clock: 'manual', seed: 3, hooks: { before, after } })
  test('explains', async () => {
    const id = await refusedThenPaid(mock, h.DOCS_TOKEN)
    await assertRefusalExplained(mock)
    assert.equal((await mock.explainResource(id)).callback.state, 'not due yet')
    await assert.rejects(mock.explainRequest(3), K2MockNotFoundError)
  })
})

describe('useK2MockSandbox\'s stand-in', () => {
  const sandbox = useK2MockSandbox({ name: 'explain-stand-in', seed: 3, clock: 'manual', hooks: { before, after } })
  test('explains', async () => {
    const id = await refusedThenPaid(sandbox, sandbox.token)
    await assertRefusalExplained(sandbox)
    assert.equal((await sandbox.explainResource(id)).resource.id, id)
    await assert.rejects(sandbox.explainResource('nope'), K2MockNotFoundError)
  })
})
