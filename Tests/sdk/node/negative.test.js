'use strict'
// Negative cases, each asserting k2-connect-node's own rejection: no token, a bad token, bad
// client credentials at token request, an unknown resource id (404), K2 validation errors (400),
// and the verifier's edge cases (no signature header, a malformed one).
const { describe, test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./harness')

const ctx = h.context()
before(() => ctx.setup())
after(() => ctx.teardown())

const UNKNOWN = '00000000-0000-4000-8000-000000000000'
const isUnauthorized = (e) => e === 'Unauthorized' // dispatch.js throws this string on every 401

const stk = (overrides = {}) => ({
  paymentChannel: 'M-PESA STK Push', tillNumber: 'K000000', firstName: 'Joe', lastName: 'Buyer',
  phoneNumber: '+254999999999', currency: 'KES', amount: 100, callbackUrl: ctx.receiver.url('/stk'), ...overrides
})

const journalSince = async (count) => (await ctx.server.requests()).slice(count)

describe('no token', () => {
  test('every service refuses locally with its validation Error ("Access token can\'t be blank")', async () => {
    await ctx.fresh()
    const location = `${ctx.server.origin}/api/v2/incoming_payments/${UNKNOWN}`
    const calls = {
      'StkService.initiateIncomingPayment': () => ctx.K2.StkService.initiateIncomingPayment(stk()),
      'StkService.getStatus': () => ctx.K2.StkService.getStatus({ location }),
      'SendMoneyService.sendMoney': () => ctx.K2.SendMoneyService.sendMoney({ currency: 'KES', callbackUrl: ctx.receiver.url() }),
      'PollingService.pollTransactions': () => ctx.K2.PollingService.pollTransactions({ scope: 'company', fromTime: 'a', toTime: 'b', callbackUrl: ctx.receiver.url() }),
      'PaymentLinkService.createPaymentLink': () => ctx.K2.PaymentLinkService.createPaymentLink({ amount: 1, currency: 'KES', tillNumber: '1', callbackUrl: ctx.receiver.url() }),
      'PaymentLinkService.cancelPaymentLink': () => ctx.K2.PaymentLinkService.cancelPaymentLink({ location }),
      'ReversalService.initiateReversal': () => ctx.K2.ReversalService.initiateReversal({ transactionReference: 'X', reason: 'Y', callbackUrl: ctx.receiver.url() }),
      'Webhooks.subscribe': () => ctx.K2.Webhooks.subscribe({ eventType: 'customer_created', url: ctx.receiver.url(), scope: 'company' }),
      'TransferService.createMerchantWallet': () => ctx.K2.TransferService.createMerchantWallet({ firstName: 'a', lastName: 'b', phoneNumber: '+254911222538', network: 'Safaricom' }),
      'ExternalRecipientService.addExternalRecipient': () => ctx.K2.ExternalRecipientService.addExternalRecipient({ type: 'till', tillName: 'a', tillNumber: '555555' }),
      'TokenService.infoToken': () => ctx.K2.TokenService.infoToken({})
    }
    for (const [name, call] of Object.entries(calls)) {
      await assert.rejects(call(), (e) => {
        assert.ok(e instanceof Error, `${name}: rejects with an Error`)
        assert.match(e.message, /Access token can't be blank/, name)
        return true
      }, name)
    }
    // Several of these still send their request after rejecting (next test): let them land now.
    await new Promise((resolve) => setTimeout(resolve, 200))
  })

  test('SDK bug: after rejecting, several services still send the request, with "Bearer undefined" (k2mock answers 401)', async () => {
    await ctx.fresh()
    const before = (await ctx.server.requests()).length
    const location = `${ctx.server.origin}/api/v2/incoming_payments/${UNKNOWN}`
    await assert.rejects(ctx.K2.StkService.initiateIncomingPayment(stk()), Error)
    await assert.rejects(ctx.K2.StkService.getStatus({ location }), Error)
    // The rejected promise settles first; the request the SDK goes on to send lands a moment later.
    await new Promise((resolve) => setTimeout(resolve, 200))
    const sent = await journalSince(before)
    // lib/stk.js:39 and lib/helpers/status.js:19 call reject() without return, then dispatch anyway
    // (likewise tokens.js:73/105/137, webhooks.js:60, polling.js:34, transfer.js:29/62,
    // external_recipient.js:38).
    // The two stray requests go out concurrently, so they may land in either order.
    assert.deepEqual(sent.map((r) => `${r.method} ${r.path} ${r.status}`).sort(), [
      `GET /api/v2/incoming_payments/${UNKNOWN} 401`,
      'POST /api/v2/incoming_payments 401'
    ])
  })
})

describe('bad token', () => {
  test('every service call rejects with the SDK\'s "Unauthorized"', async () => {
    await ctx.fresh()
    const accessToken = 'not-a-token-k2mock-issued'
    const location = `${ctx.server.origin}/api/v2/incoming_payments/${UNKNOWN}`
    const calls = {
      'StkService.initiateIncomingPayment': () => ctx.K2.StkService.initiateIncomingPayment(stk({ accessToken })),
      'StkService.getStatus': () => ctx.K2.StkService.getStatus({ location, accessToken }),
      'SendMoneyService.sendMoney': () => ctx.K2.SendMoneyService.sendMoney({ currency: 'KES', callbackUrl: ctx.receiver.url(), accessToken }),
      'PollingService.pollTransactions': () => ctx.K2.PollingService.pollTransactions({ scope: 'company', fromTime: '2021-01-28T09:00:00+03:00', toTime: '2021-01-28T11:00:00+03:00', callbackUrl: ctx.receiver.url(), accessToken }),
      'PaymentLinkService.createPaymentLink': () => ctx.K2.PaymentLinkService.createPaymentLink({ amount: 1, currency: 'KES', tillNumber: '1', callbackUrl: ctx.receiver.url(), accessToken }),
      'ReversalService.initiateReversal': () => ctx.K2.ReversalService.initiateReversal({ transactionReference: 'X', reason: 'Y', callbackUrl: ctx.receiver.url(), accessToken }),
      'Webhooks.subscribe': () => ctx.K2.Webhooks.subscribe({ eventType: 'customer_created', url: ctx.receiver.url(), scope: 'company', accessToken }),
      'TransferService.createMerchantBankAccount': () => ctx.K2.TransferService.createMerchantBankAccount({ accountName: 'a', accountNumber: '1', bankBranchRef: '633aa26c-7b7c-4091-ae28-96c0687cf886', settlementMethod: 'EFT', accessToken }),
      'ExternalRecipientService.addExternalRecipient': () => ctx.K2.ExternalRecipientService.addExternalRecipient({ type: 'paybill', paybillName: 'a', paybillNumber: '1', paybillAccountNumber: '2', accessToken }),
      'TokenService.infoToken': () => ctx.K2.TokenService.infoToken({ accessToken })
    }
    const before = (await ctx.server.requests()).length
    for (const [name, call] of Object.entries(calls)) {
      await assert.rejects(call(), isUnauthorized, name)
    }
    const sent = await journalSince(before)
    assert.equal(sent.length, Object.keys(calls).length)
    assert.ok(sent.every((r) => r.status === 401), JSON.stringify(sent))
  })

  test('an empty token passes the SDK\'s validation, goes out as "Bearer " and is refused: "Unauthorized"', async () => {
    await ctx.server.reset()
    await assert.rejects(ctx.K2.TokenService.infoToken({ accessToken: '' }), isUnauthorized)
    const raw = await ctx.server.request('GET', '/oauth/token/info', undefined, { headers: { Authorization: 'Bearer ' } })
    assert.equal(raw.status, 401)
  })
})

describe('bad client credentials', () => {
  test('getToken with a wrong client secret rejects with "Unauthorized"', async () => {
    await ctx.server.reset()
    const K2 = h.loadSdk({ ...h.CREDENTIALS, clientSecret: 'wrong-secret' }, ctx.server.origin)
    await assert.rejects(K2.TokenService.getToken(), isUnauthorized)
    const journal = await ctx.server.requests()
    assert.deepEqual(journal.map((r) => `${r.method} ${r.path} ${r.status}`), ['POST /oauth/token 401'])
    // What K2 (Doorkeeper) says, which the SDK hides behind its string.
    const raw = await ctx.server.request('POST', '/oauth/token',
      'grant_type=client_credentials&client_id=node-client&client_secret=wrong-secret',
      { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } })
    assert.equal(raw.status, 401)
    assert.equal(raw.json.error, 'invalid_client')
  })

  test('getToken with an unknown client id rejects with "Unauthorized"', async () => {
    const K2 = h.loadSdk({ ...h.CREDENTIALS, clientId: 'nobody' }, ctx.server.origin)
    await assert.rejects(K2.TokenService.getToken(), isUnauthorized)
  })

  test('revokeToken with wrong client credentials rejects with "Unauthorized" and the token stays valid', async () => {
    const token = await ctx.fresh()
    const K2 = h.loadSdk({ ...h.CREDENTIALS, clientSecret: 'wrong-secret' }, ctx.server.origin)
    await assert.rejects(K2.TokenService.revokeToken({ accessToken: token }), isUnauthorized)
    assert.equal((await ctx.K2.TokenService.infoToken({ accessToken: token })).application.uid, h.CREDENTIALS.clientId)
  })

  test('the SDK refuses to start without all four options (validate.js)', () => {
    assert.throws(() => h.loadSdk({ clientId: 'a', clientSecret: 'b', apiKey: 'c' }, undefined),
      (e) => e.baseUrl && /can't be blank/.test(e.baseUrl[0]))
  })
})

describe('unknown resource id (404)', () => {
  const collections = {
    'StkService.getStatus': ['incoming_payments', (opts) => ctx.K2.StkService.getStatus(opts)],
    'SendMoneyService.getStatus': ['send_money', (opts) => ctx.K2.SendMoneyService.getStatus(opts)],
    'PollingService.getStatus': ['polling', (opts) => ctx.K2.PollingService.getStatus(opts)],
    'PaymentLinkService.getStatus': ['payment_links', (opts) => ctx.K2.PaymentLinkService.getStatus(opts)],
    'PaymentLinkService.cancelPaymentLink': ['payment_links', (opts) => ctx.K2.PaymentLinkService.cancelPaymentLink(opts)],
    'ReversalService.getStatus': ['reversals', (opts) => ctx.K2.ReversalService.getStatus(opts)],
    'Webhooks.getStatus': ['webhook_subscriptions', (opts) => ctx.K2.Webhooks.getStatus(opts)],
    'helpers/status.getStatus (external recipient)': ['external_recipients', (opts) => h.sdkHelper('status').getStatus(opts)],
    'helpers/status.getStatus (merchant wallet)': ['merchant_wallets', (opts) => h.sdkHelper('status').getStatus(opts)],
    'helpers/status.getStatus (merchant bank account)': ['merchant_bank_accounts', (opts) => h.sdkHelper('status').getStatus(opts)]
  }
  for (const [name, [collection, call]] of Object.entries(collections)) {
    test(`${name} on an unknown id rejects with K2's 404 body`, async () => {
      const token = await ctx.fresh()
      await assert.rejects(call({ location: `${ctx.server.origin}/api/v2/${collection}/${UNKNOWN}`, accessToken: token }), (e) => {
        assert.equal(e.error_code, 404)
        assert.equal(typeof e.error_message, 'string')
        return true
      })
    })
  }
})

describe('K2 validation errors (400), as the SDK rejects them', () => {
  test('STK push to an invalid phone number', async () => {
    const token = await ctx.fresh()
    await assert.rejects(ctx.K2.StkService.initiateIncomingPayment(stk({ phoneNumber: '12', accessToken: token })),
      (e) => { assert.deepEqual(e, { error_code: 400, error_message: 'Subscriber phone number is an invalid number' }); return true })
  })

  test('send money in a currency other than KES', async () => {
    const token = await ctx.fresh()
    await assert.rejects(ctx.K2.SendMoneyService.sendMoney({
      currency: 'USD', callbackUrl: ctx.receiver.url(), accessToken: token,
      destinations: [{ type: 'till', till_number: '555555', amount: 10, description: 'x' }]
    }), (e) => { assert.equal(e.error_code, 400); assert.match(e.error_message, /currency/i); return true })
  })

  test('a till-scoped subscription without its till', async () => {
    const token = await ctx.fresh()
    await assert.rejects(ctx.K2.Webhooks.subscribe({ eventType: 'buygoods_transaction_received', url: ctx.receiver.url(), scope: 'till', accessToken: token }),
      (e) => { assert.equal(e.error_code, 400); return true })
  })

  test('the SDK\'s own validation refuses a send-money destination without its fields, before sending', async () => {
    const token = await ctx.fresh()
    const before = (await ctx.server.requests()).length
    await assert.rejects(ctx.K2.SendMoneyService.sendMoney({
      currency: 'KES', callbackUrl: ctx.receiver.url(), accessToken: token, destinations: [{ type: 'till', amount: 10 }]
    }), /can't be blank/)
    await assert.rejects(ctx.K2.SendMoneyService.sendMoney({
      currency: 'KES', callbackUrl: ctx.receiver.url(), accessToken: token, destinations: [{ type: 'card', amount: 10 }]
    }), /Undefined destination type: card/)
    assert.equal((await ctx.server.requests()).length, before)
  })
})

describe('the verifier\'s edge cases', () => {
  async function oneDelivery () {
    const token = await ctx.fresh()
    await ctx.K2.Webhooks.subscribe({ eventType: 'customer_created', url: ctx.receiver.url('/hook'), scope: 'company', accessToken: token })
    await ctx.server.fireEvent('customer_created')
    return h.onlyDelivery(ctx.receiver, '/hook')
  }

  test('SDK bug: no X-KopoKopo-Signature header → webhookHandler rejects with a TypeError and never answers K2', async () => {
    const delivery = await oneDelivery()
    const headers = { ...delivery.headers }
    delete headers['x-kopokopo-signature']
    const { result, error, res } = await h.handle(ctx.K2, delivery, { headers })
    assert.equal(result, undefined)
    // lib/helpers/auth.js:19 Buffer.from(undefined, 'hex') throws inside the promise executor
    // (lib/webhooks.js:31), so res.status(...).json() (line 32) is never called: K2's POST hangs.
    assert.ok(error instanceof TypeError, String(error))
    assert.equal(res.answered, false)
  })

  test('SDK bug: a signature of the wrong length → RangeError from timingSafeEqual, K2 never answered', async () => {
    const delivery = await oneDelivery()
    const { result, error, res } = await h.handle(ctx.K2, delivery, { headers: { ...delivery.headers, 'x-kopokopo-signature': 'abcd' } })
    assert.equal(result, undefined)
    assert.ok(error instanceof RangeError, String(error)) // lib/helpers/auth.js:22 throws on unequal lengths
    assert.equal(res.answered, false)
  })

  test('an uppercase-hex copy of the right signature is accepted (the SDK compares decoded bytes)', async () => {
    const delivery = await oneDelivery()
    const upper = delivery.headers['x-kopokopo-signature'].toUpperCase()
    const { error, res } = await h.handle(ctx.K2, delivery, { headers: { ...delivery.headers, 'x-kopokopo-signature': upper } })
    assert.equal(error, undefined)
    assert.equal(res.statusCode, 200)
  })
})

test(h.NO_WARNINGS, h.noWarnings)
