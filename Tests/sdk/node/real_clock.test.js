'use strict'
// The built-in default scenario on a real clock (`--clock real`, no --scenario), as an SDK user
// meets it: one STK push, its status polled through the SDK until it completes (5 s by the default
// timelines), and its callback verified by the SDK.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./harness')

let server, receiver, K2
before(async () => {
  server = await h.startK2Mock({ clock: 'real' })
  receiver = await h.startReceiver()
  K2 = h.loadSdk(h.DEFAULT_CREDENTIALS, server.origin)
})
after(async () => {
  if (receiver) await receiver.stop()
  if (server) assert.equal(await server.stop(), 0)
})

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms))

test('default scenario, real clock: STK push polled to Success within its 5 s, callback verified', async () => {
  assert.equal((await server.clock()).mode, 'real')
  const { access_token: token } = await K2.TokenService.getToken()
  const started = Date.now()
  const location = await K2.StkService.initiateIncomingPayment({
    paymentChannel: 'M-PESA STK Push', tillNumber: 'K000000', firstName: 'Joe', lastName: 'Buyer',
    phoneNumber: '+254999999999', email: 'jbuyer@mail.net', currency: 'KES', amount: 100,
    callbackUrl: receiver.url('/stk'), metadata: { reference: 'real-clock' }, accessToken: token
  })

  let status
  const statuses = []
  while (Date.now() - started < 15000) {
    status = await K2.StkService.getStatus({ location, accessToken: token })
    const s = status.data.attributes.status
    if (statuses[statuses.length - 1] !== s) statuses.push(s)
    if (s !== 'Pending') break
    await sleep(100)
  }
  const elapsed = Date.now() - started
  assert.deepEqual(statuses, ['Pending', 'Success'])
  assert.ok(elapsed >= 4500 && elapsed < 10000, `completed after ${elapsed} ms (timeline: 5 s)`)
  assert.equal(status.data.attributes.event.resource.amount, '100.0')

  while (receiver.received.length === 0 && Date.now() - started < 15000) await sleep(50)
  const delivery = h.onlyDelivery(receiver, '/stk')
  assert.equal(delivery.text, JSON.stringify(status))
  const result = await h.assertVerifiedBySdk(K2, delivery, h.DEFAULT_CREDENTIALS.apiKey)
  assert.equal(result.data.id, h.idOf(location))
  assert.equal(result.data.attributes.status, 'Success')
  assert.equal(result.data.attributes.metadata.reference, 'real-clock')
})

test(h.NO_WARNINGS, h.noWarnings)
