'use strict'
// TokenService: requestAccessToken (getToken), infoToken, introspectToken, revokeToken, and the
// scenario's pre-issued token, against k2mock on a manual clock.
const { describe, test, before, after, beforeEach } = require('node:test')
const assert = require('node:assert/strict')
const h = require('./harness')

const ctx = h.context()
before(() => ctx.setup())
after(() => ctx.teardown())

const lastRequest = async (method, path) => {
  const journal = await ctx.server.requests()
  const matching = journal.filter((r) => r.method === method && r.path === path)
  assert.ok(matching.length > 0, `no ${method} ${path} in k2mock's request journal: ${JSON.stringify(journal)}`)
  return matching[matching.length - 1]
}

describe('TokenService', () => {
  beforeEach(async () => { await ctx.server.reset(); ctx.receiver.clear() })

  test('getToken (requestAccessToken) returns the token K2 documents', async () => {
    const token = await ctx.K2.TokenService.getToken()
    assert.deepEqual(Object.keys(token), ['access_token', 'token_type', 'expires_in', 'created_at'])
    assert.match(token.access_token, /^[A-Za-z0-9_-]{43,}$/)
    assert.equal(token.token_type, 'Bearer')
    assert.equal(token.expires_in, 3600) // the scenario's token_ttl: 1h
    assert.equal(token.created_at, Date.parse('2021-01-28T10:00:00+03:00') / 1000) // the scenario's start
    h.assertHasSdkFixtureKeys(h.sdkFixture('tokens').tokenResponse, token, 'token response')
    assert.equal((await lastRequest('POST', '/oauth/token')).status, 200)
    // Seeded: the same request after a reset gives the same token.
    await ctx.server.reset()
    assert.equal((await ctx.K2.TokenService.getToken()).access_token, token.access_token)
  })

  test('the token works on the API, through the SDK', async () => {
    const { access_token: token } = await ctx.K2.TokenService.getToken()
    const location = await ctx.K2.Webhooks.subscribe({
      eventType: 'customer_created', url: ctx.receiver.url('/hooks'), scope: 'company', accessToken: token
    })
    const status = await ctx.K2.Webhooks.getStatus({ location, accessToken: token })
    assert.equal(status.data.attributes.status, 'Active')
  })

  test('infoToken returns the token\'s info, expires_in counting down on the sandbox clock', async () => {
    const { access_token: token, created_at: createdAt } = await ctx.K2.TokenService.getToken()
    const info = await ctx.K2.TokenService.infoToken({ accessToken: token })
    assert.equal(info.resource_owner_id, null)
    assert.deepEqual(info.scope, [])
    assert.equal(info.expires_in, 3600)
    assert.equal(info.application.uid, h.CREDENTIALS.clientId)
    assert.equal(info.created_at, createdAt)
    h.assertHasSdkFixtureKeys(h.sdkFixture('tokens').infoResponse, info, 'token info')
    await ctx.server.advance(600)
    const later = await ctx.K2.TokenService.infoToken({ accessToken: token })
    assert.equal(later.expires_in, 3000)
    assert.equal((await lastRequest('GET', '/oauth/token/info')).status, 200)
  })

  test('introspectToken: the exchange happens (SDK bug: it resolves response.body, undefined on axios)', async () => {
    const { access_token: token } = await ctx.K2.TokenService.getToken()
    const result = await ctx.K2.TokenService.introspectToken({ accessToken: token })
    // SDK bug, lib/tokens.js:116 `resolve(response.body)`: axios responses have `data`, not `body`,
    // so the caller never sees the introspection. It would be the same against real K2.
    if (result !== undefined) {
      assert.equal(result.active, true) // the bug was fixed: then the body must be right
    }
    const exchange = await lastRequest('POST', '/oauth/introspect')
    assert.equal(exchange.status, 200)
    // What the SDK should have resolved (asked directly, the way the SDK sends it: JSON).
    const raw = await ctx.server.request('POST', '/oauth/introspect', {
      client_id: h.CREDENTIALS.clientId, client_secret: h.CREDENTIALS.clientSecret, token
    })
    assert.equal(raw.status, 200)
    assert.equal(raw.json.active, true)
    assert.equal(raw.json.client_id, h.CREDENTIALS.clientId)
    assert.equal(raw.json.token_type, 'Bearer')
    h.assertHasSdkFixtureKeys(h.sdkFixture('tokens').introspectResponse, raw.json, 'introspection')
  })

  test('revokeToken: the exchange happens and the token is refused afterwards (SDK resolves undefined)', async () => {
    const { access_token: token } = await ctx.K2.TokenService.getToken()
    const result = await ctx.K2.TokenService.revokeToken({ accessToken: token })
    // SDK bug, lib/tokens.js:84 `resolve(response.body)` (always undefined on axios); K2 answers {}.
    assert.ok(result === undefined || Object.keys(result).length === 0)
    assert.equal((await lastRequest('POST', '/oauth/revoke')).status, 200)
    await assert.rejects(ctx.K2.TokenService.infoToken({ accessToken: token }), (e) => e === 'Unauthorized')
    await assert.rejects(
      ctx.K2.Webhooks.subscribe({ eventType: 'customer_created', url: ctx.receiver.url(), scope: 'company', accessToken: token }),
      (e) => e === 'Unauthorized')
    const raw = await ctx.server.request('POST', '/oauth/introspect', {
      client_id: h.CREDENTIALS.clientId, client_secret: h.CREDENTIALS.clientSecret, token
    })
    assert.deepEqual(raw.json, { active: false })
  })

  test('a token expires after token_ttl on the sandbox clock', async () => {
    const { access_token: token } = await ctx.K2.TokenService.getToken()
    await ctx.server.advance(3599)
    assert.equal((await ctx.K2.TokenService.infoToken({ accessToken: token })).expires_in, 1)
    await ctx.server.advance(1)
    await assert.rejects(ctx.K2.TokenService.infoToken({ accessToken: token }), (e) => e === 'Unauthorized')
    // A fresh one works again.
    const fresh = await ctx.K2.TokenService.getToken()
    assert.equal((await ctx.K2.TokenService.infoToken({ accessToken: fresh.access_token })).expires_in, 3600)
  })

  test('the scenario\'s pre-issued token reads the docs\' pay recipient fixture', async () => {
    const { getStatus } = h.sdkHelper('status')
    const recipient = await getStatus({
      location: `${ctx.server.origin}/api/v1/pay_recipients/${h.DOCS_RECIPIENT}`, accessToken: h.PREISSUED_TOKEN
    })
    assert.equal(recipient.data.id, h.DOCS_RECIPIENT)
    assert.equal(recipient.data.type, 'pay_recipient')
    assert.equal(recipient.data.attributes.status, 'Approved')
    const info = await ctx.K2.TokenService.infoToken({ accessToken: h.PREISSUED_TOKEN })
    assert.equal(info.application.uid, h.CREDENTIALS.clientId)
  })
})

test(h.NO_WARNINGS, h.noWarnings)
