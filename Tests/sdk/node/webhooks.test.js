'use strict'
// Webhooks.subscribe and Webhooks.webhookHandler on every webhook event topic k2mock fires
// (POST /__admin/events), in K2's envelope and, for buygoods and b2b, in the Daraja format;
// till scoping, duplicates and a badly signed event.
const crypto = require('node:crypto')
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./harness')

const ctx = h.context()
before(() => ctx.setup())
after(() => ctx.teardown())

const UUID = '[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}'

async function subscribe (token, eventType, pathname, extra = {}) {
  const location = await ctx.K2.Webhooks.subscribe({
    eventType, url: ctx.receiver.url(pathname), scope: 'company', accessToken: token, ...extra
  })
  assert.match(location, new RegExp(`^${ctx.server.origin}/api/v2/webhook_subscriptions/${UUID}$`))
  const subscription = await ctx.K2.Webhooks.getStatus({ location, accessToken: token })
  assert.equal(subscription.data.id, h.idOf(location))
  assert.equal(subscription.data.type, 'webhook_subscription')
  const a = subscription.data.attributes
  assert.equal(a.event_type, eventType)
  assert.equal(a.webhook_uri, ctx.receiver.url(pathname))
  assert.equal(a.status, 'Active')
  assert.equal(a.scope, extra.scope || 'company')
  return location
}

// Each topic: the resource fields the test sets, what else it expects, and the SDK's fixture.
const topics = {
  buygoods_transaction_received: {
    eventType: 'Buygoods Transaction',
    fixture: 'hooks/buygoodsreceivedhook',
    set: { amount: '250.0', till_number: '555555', sender_phone_number: '+254711000111', sender_first_name: 'Jane' },
    expect: { status: 'Received', currency: 'KES', system: 'Lipa Na M-PESA' },
    links: '/financial_transaction/',
    // example/routes/webhooks.js:78-86 reads these.
    appReads: ['origination_time', 'sender_phone_number', 'hashed_sender_phone', 'amount', 'currency', 'till_number',
      'sender_first_name', 'sender_middle_name', 'sender_last_name', 'status', 'system']
  },
  buygoods_transaction_reversed: {
    eventType: 'Buygoods Transaction',
    fixture: 'hooks/buygoodsreversedhook',
    set: { amount: '233.0', till_number: '125476' },
    expect: { status: 'Reversed', currency: 'KES' },
    links: '/financial_transaction/',
    // example/routes/webhooks.js:45-52 reads these.
    appReads: ['origination_time', 'sender_phone_number', 'amount', 'currency', 'till_number', 'sender_first_name',
      'sender_middle_name', 'sender_last_name', 'status', 'system', 'reversal_time']
  },
  b2b_transaction_received: {
    eventType: 'External Till to Till Transaction',
    fixture: 'hooks/b2breceived',
    set: { amount: '313.0', till_number: '461863', sending_till: '890642' },
    expect: { status: 'Complete', currency: 'KES' },
    links: '/financial_transaction/',
    appReads: []
  },
  m2m_transaction_received: {
    eventType: 'Merchant to Merchant Transaction',
    fixture: 'hooks/m2mreceived',
    set: { amount: '456.0', sending_merchant: 'Jane Flowers' },
    expect: { status: 'Received', currency: 'KES' },
    links: '/payment_batches/',
    appReads: []
  },
  customer_created: {
    eventType: 'Customer Created',
    fixture: 'hooks/customercreatedhook',
    set: { first_name: 'Jane', middle_name: 'M', last_name: 'Doe', phone_number: '+254711000222' },
    expect: {},
    links: '/mobile_money_user/',
    appReads: []
  },
  settlement_transfer_completed: {
    eventType: 'Settlement Transfer',
    fixture: 'hooks/transfercompleted',
    set: { amount: '49452.0' },
    expect: { status: 'Transferred', currency: 'KES' },
    links: '/transfer_batch/',
    appReads: []
  }
}

describe('Webhooks.webhookHandler on every event topic', () => {
  for (const [topic, spec] of Object.entries(topics)) {
    test(`${topic}: subscribe, fire, verify, read`, async () => {
      const token = await ctx.fresh()
      const pathname = `/hooks/${topic}`
      await subscribe(token, topic, pathname)
      // Another topic's subscriber gets nothing from this event.
      const other = topic === 'customer_created' ? 'm2m_transaction_received' : 'customer_created'
      await subscribe(token, other, '/hooks/other')

      const fired = await ctx.server.fireEvent(topic, spec.set)
      assert.equal(fired.event, topic)
      assert.match(fired.id, new RegExp(`^${UUID}$`))
      assert.equal(fired.deliveries.length, 1)
      assert.equal(ctx.receiver.at('/hooks/other').length, 0)

      const delivery = h.onlyDelivery(ctx.receiver, pathname)
      const entry = await h.journalEntryFor(ctx.server, delivery)
      assert.equal(entry.kind, 'webhook')
      assert.equal(entry.topic, topic)
      assert.equal(entry.event_id, fired.id)

      const event = await h.assertVerifiedBySdk(ctx.K2, delivery, h.CREDENTIALS.apiKey)
      assert.equal(event.topic, topic)
      assert.equal(event.id, fired.id)
      assert.equal(event.created_at, '2021-01-28T10:00:00+03:00')
      assert.equal(event.event.type, spec.eventType)
      const resource = event.event.resource
      for (const [key, value] of Object.entries({ ...spec.set, ...spec.expect })) {
        assert.equal(resource[key], value, `event.resource.${key}`)
      }
      assert.equal(event._links.self, `${ctx.server.origin}/webhook_events/${fired.id}`)
      assert.ok(event._links.resource.startsWith(ctx.server.origin + spec.links), event._links.resource)
      h.assertHasSdkFixtureKeys(h.sdkFixture(spec.fixture), event, `${topic} event`)
      for (const key of spec.appReads) assert.ok(key in resource, `event.resource.${key} (read by the SDK's example app)`)

      // The event's self link answers the same envelope, read through the SDK's status helper.
      const again = await h.sdkHelper('status').getStatus({ location: event._links.self, accessToken: token })
      assert.deepEqual(again, event)
    })
  }

  test('buygoods_transaction_received carries the SHA-256 of the sender phone and the M-PESA fields', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'buygoods_transaction_received', '/hooks/bg')
    await ctx.server.fireEvent('buygoods_transaction_received', { sender_phone_number: '+254711000111' })
    const event = await h.assertVerifiedBySdk(ctx.K2, h.onlyDelivery(ctx.receiver, '/hooks/bg'), h.CREDENTIALS.apiKey)
    const r = event.event.resource
    assert.match(r.hashed_sender_phone, /^[0-9a-f]{64}$/)
    const candidates = ['+254711000111', '254711000111'].map((p) => crypto.createHash('sha256').update(p).digest('hex'))
    assert.ok(candidates.includes(r.hashed_sender_phone), 'hashed_sender_phone is the SHA-256 of the phone')
    assert.match(r.reference, /^[A-Z0-9]{10}$/)
    assert.match(r.id, new RegExp(`^${UUID}$`))
  })
})

describe('Daraja payloads (enableDarajaPayload)', () => {
  const cases = [
    { topic: 'buygoods_transaction_received', fixture: 'hooks/darajabuygoods', set: { till_number: '555555', amount: '100.0' }, type: 'Buygoods' },
    { topic: 'b2b_transaction_received', fixture: 'hooks/darajab2b', set: { till_number: '555555', amount: '313.0', sending_till: '890642' }, type: 'Organization To Organization Transfer' }
  ]
  for (const c of cases) {
    test(`${c.topic} in Safaricom's C2B format, till-scoped, verified and read`, async () => {
      const token = await ctx.fresh()
      await subscribe(token, c.topic, '/daraja', { scope: 'till', scopeReference: '555555', enableDarajaPayload: true })
      await ctx.server.fireEvent(c.topic, { ...c.set, till_number: '777777' }) // another till
      assert.equal(ctx.receiver.received.length, 0, 'a till-scoped subscription gets its till only')
      const fired = await ctx.server.fireEvent(c.topic, c.set)
      const delivery = h.onlyDelivery(ctx.receiver, '/daraja')
      const body = await h.assertVerifiedBySdk(ctx.K2, delivery, h.CREDENTIALS.apiKey)
      const event = await h.sdkHelper('status').getStatus({ location: `${ctx.server.origin}/webhook_events/${fired.id}`, accessToken: token })
      assert.equal(body.TransactionType, c.type)
      assert.equal(body.TransID, event.event.resource.reference)
      assert.equal(body.TransAmount, c.set.amount)
      assert.equal(body.BusinessShortCode, '555555')
      assert.match(body.TransTime, /^20210128\d{6}$/)
      if (c.topic === 'b2b_transaction_received') assert.equal(body.MSISDN, '890642')
      h.assertHasSdkFixtureKeys(h.sdkFixture(c.fixture), body, `${c.topic} Daraja body`)
      // example/routes/webhooks.js:64-74 reads these.
      for (const key of ['TransID', 'TransTime', 'MSISDN', 'TransAmount', 'BusinessShortCode', 'FirstName', 'MiddleName', 'LastName', 'TransactionType']) {
        assert.ok(key in body, key)
      }
    })
  }
})

describe('delivery misbehaviour', () => {
  test('a till-scoped subscription gets its till\'s events only; a company one gets all', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'buygoods_transaction_received', '/till', { scope: 'till', scopeReference: '555555' })
    await subscribe(token, 'buygoods_transaction_received', '/company')
    await ctx.server.fireEvent('buygoods_transaction_received', { till_number: '777777' })
    await ctx.server.fireEvent('buygoods_transaction_received', { till_number: '555555' })
    assert.deepEqual(ctx.receiver.at('/till').map((d) => JSON.parse(d.text).event.resource.till_number), ['555555'])
    assert.deepEqual(ctx.receiver.at('/company').map((d) => JSON.parse(d.text).event.resource.till_number), ['777777', '555555'])
    for (const d of ctx.receiver.received) await h.assertVerifiedBySdk(ctx.K2, d, h.CREDENTIALS.apiKey)
  })

  test('duplicates: each copy verifies, with the same event id', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'customer_created', '/dup')
    const fired = await ctx.server.fireEvent('customer_created', null, { duplicates: 1 })
    assert.equal(fired.deliveries.length, 2)
    const copies = ctx.receiver.at('/dup')
    assert.equal(copies.length, 2)
    assert.equal(copies[0].text, copies[1].text)
    for (const d of copies) assert.equal((await h.assertVerifiedBySdk(ctx.K2, d, h.CREDENTIALS.apiKey)).id, fired.id)
  })

  test('a badly signed event is refused by the SDK (401 to K2, rejected promise)', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'buygoods_transaction_received', '/bad')
    await ctx.server.fireEvent('buygoods_transaction_received', null, { badSignature: true })
    const delivery = h.onlyDelivery(ctx.receiver, '/bad')
    assert.match(delivery.headers['x-kopokopo-signature'], /^[0-9a-f]{64}$/)
    const { result, error, res } = await h.handle(ctx.K2, delivery)
    assert.equal(result, undefined)
    assert.equal(error, '401: Webhook not authenticated')
    assert.equal(res.statusCode, 401)
  })

  test('a delayed event arrives only when the clock reaches it', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'm2m_transaction_received', '/late')
    await ctx.server.fireEvent('m2m_transaction_received', null, { delay: '30s' })
    assert.equal(ctx.receiver.received.length, 0)
    await ctx.server.advance(29)
    assert.equal(ctx.receiver.received.length, 0)
    await ctx.server.advance(1)
    await h.assertVerifiedBySdk(ctx.K2, h.onlyDelivery(ctx.receiver, '/late'), h.CREDENTIALS.apiKey)
  })

  test('verifying with the wrong key (the client secret instead of the api key) is refused', async () => {
    const token = await ctx.fresh()
    await subscribe(token, 'customer_created', '/key')
    await ctx.server.fireEvent('customer_created')
    const wrongKey = h.loadSdk({ ...h.CREDENTIALS, apiKey: h.CREDENTIALS.clientSecret }, ctx.server.origin)
    const { error, res } = await h.handle(wrongKey, h.onlyDelivery(ctx.receiver, '/key'))
    assert.equal(error, '401: Webhook not authenticated')
    assert.equal(res.statusCode, 401)
  })
})

test(h.NO_WARNINGS, h.noWarnings)
