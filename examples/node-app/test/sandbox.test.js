'use strict'
// The same checkout in a sandbox of its own on a shared k2mock ($K2MOCK_URL, e.g. a CI service
// container; else one started for this file), as parallel workers run it: the app is given the
// sandbox's credentials, and k2mock finds the sandbox by them.
const { test, before, after } = require('node:test')
const assert = require('node:assert/strict')
const http = require('node:http')
const { useK2MockSandbox } = require('k2mock')
const { createCheckout } = require('../app')

const sandbox = useK2MockSandbox({ clock: 'manual', seed: 11 })

let app
before(async () => {
  await sandbox.ready // node:test runs top-level before hooks side by side
  app = createCheckout({ baseUrl: sandbox.baseUrl, clientId: sandbox.clientId, clientSecret: sandbox.clientSecret, apiKey: sandbox.apiKey })
  await app.start()
})
after(() => app.stop())

test('paid in a sandbox: its own clock, its own key signs the result', async () => {
  const body = JSON.stringify({ phone: '+254799999999', amount: 2500 })
  const placed = await new Promise((resolve, reject) => {
    http.request(`${app.publicUrl}/checkout`, { method: 'POST', agent: false, headers: { 'Content-Length': body.length } }, (res) => {
      res.resume()
      res.on('end', () => resolve(res.statusCode))
    }).on('error', reject).end(body)
  })
  assert.equal(placed, 202)
  assert.match(sandbox.clientId, new RegExp(`^sandbox_client_id-${sandbox.id}$`))
  await sandbox.advance(10)
  assert.equal(app.orders.get('1').status, 'paid')
  assert.deepEqual((await sandbox.callbacks()).map((d) => d.attempts[0].status), [200])
  assert.deepEqual((await sandbox.server.callbacks()).filter((d) => d.url.startsWith(app.publicUrl)), [], 'nothing in the server\'s own sandbox')
})
