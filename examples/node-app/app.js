'use strict'
// A small shop's checkout against K2 Connect, on node:http and the official SDK
// (k2-connect-node): POST /checkout asks the customer for an M-PESA payment (an STK push),
// POST /k2/result takes the result K2 posts back (refused unless its X-KopoKopo-Signature is
// right), GET /orders/:id tells how an order stands. It knows K2 only by its base URL and
// credentials, so tests point it at k2mock.
const crypto = require('node:crypto')
const http = require('node:http')

function signatureIsRight (rawBody, signature, apiKey) {
  const expected = Buffer.from(crypto.createHmac('sha256', apiKey).update(rawBody).digest('hex'))
  const given = Buffer.from(typeof signature === 'string' ? signature : '')
  return given.length === expected.length && crypto.timingSafeEqual(given, expected)
}

function readBody (req) {
  return new Promise((resolve, reject) => {
    const chunks = []
    req.on('data', (chunk) => chunks.push(chunk))
    req.on('end', () => resolve(Buffer.concat(chunks)))
    req.on('error', reject)
  })
}

function reply (res, status, body) {
  const text = JSON.stringify(body)
  res.writeHead(status, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text) })
  res.end(text)
}

// options: baseUrl (K2's, in the SDK's form: no trailing slash), clientId, clientSecret, apiKey,
// tillNumber, publicUrl (where K2 reaches this app; default: the address it listens on).
function createCheckout ({ baseUrl, clientId, clientSecret, apiKey, tillNumber = 'K000000', publicUrl, sdk }) {
  const K2 = (sdk || require('k2-connect-node'))({ clientId, clientSecret, apiKey, baseUrl })
  const orders = new Map() // id -> { id, amount, phone, status, reason, location }
  let token = null // { value, expiresAt }

  async function accessToken () {
    if (!token || Date.now() > token.expiresAt) {
      const answer = await K2.TokenService.getToken()
      token = { value: answer.access_token, expiresAt: Date.now() + (answer.expires_in - 60) * 1000 }
    }
    return token.value
  }

  async function checkout (req, res) {
    const { phone, amount } = JSON.parse((await readBody(req)).toString('utf8') || '{}')
    const order = { id: String(orders.size + 1), amount, phone, status: 'pending', reason: null, location: null }
    orders.set(order.id, order)
    const push = async () => K2.StkService.initiateIncomingPayment({
      paymentChannel: 'M-PESA STK Push', tillNumber, firstName: 'Shop', lastName: 'Customer', phoneNumber: phone,
      email: 'customer@example.com', currency: 'KES', amount, callbackUrl: `${server.publicUrl}/k2/result`,
      metadata: { order: order.id }, accessToken: await accessToken()
    })
    try {
      try {
        order.location = await push()
      } catch (error) {
        if (error !== 'Unauthorized') throw error
        token = null // expired or revoked before we thought: one more try with a new token
        order.location = await push()
      }
    } catch (error) { // the SDK rejects with K2's error body, or a string
      order.status = 'error'
      order.reason = typeof error === 'string' ? error : (error && error.error_message) || JSON.stringify(error)
      return reply(res, 502, { order: order.id, error: order.reason })
    }
    reply(res, 202, { order: order.id, status: order.status })
  }

  async function result (req, res) {
    const raw = await readBody(req)
    if (!signatureIsRight(raw, req.headers['x-kopokopo-signature'], apiKey)) {
      return reply(res, 401, { error: 'bad signature' })
    }
    const { data } = JSON.parse(raw.toString('utf8'))
    const order = orders.get(String(data.attributes.metadata && data.attributes.metadata.order))
    if (!order) return reply(res, 404, { error: 'no such order' })
    const { status, event } = data.attributes
    if (status === 'Success') {
      order.status = 'paid'
      order.reference = event.resource && event.resource.reference
    } else if (status === 'Failed') {
      order.status = 'failed'
      order.reason = event.errors
    }
    reply(res, 200, { received: true })
  }

  const server = http.createServer((req, res) => {
    const route = `${req.method} ${req.url.replace(/\/\d+$/, '/:id')}`
    const handle = {
      'POST /checkout': checkout,
      'POST /k2/result': result,
      'GET /orders/:id': (req, res) => {
        const order = orders.get(req.url.split('/').pop())
        return order ? reply(res, 200, order) : reply(res, 404, { error: 'no such order' })
      }
    }[route]
    if (!handle) return reply(res, 404, { error: 'not found' })
    Promise.resolve(handle(req, res)).catch((error) => reply(res, 500, { error: String(error) }))
  })

  // Listens on 127.0.0.1 (port 0: a free one); resolves the app's URL.
  server.start = (port = 0) => new Promise((resolve) => server.listen(port, '127.0.0.1', () => {
    server.publicUrl = publicUrl || `http://127.0.0.1:${server.address().port}`
    resolve(server.publicUrl)
  }))
  // Stops listening and drops open connections; resolves once closed.
  server.stop = () => new Promise((resolve) => {
    server.close(() => resolve())
    if (server.closeAllConnections) server.closeAllConnections()
  })
  server.orders = orders
  return server
}

module.exports = { createCheckout, signatureIsRight }

if (require.main === module) { // K2_BASE_URL=http://127.0.0.1:8080 node app.js
  const app = createCheckout({
    baseUrl: process.env.K2_BASE_URL || 'http://127.0.0.1:8080',
    clientId: process.env.K2_CLIENT_ID || 'sandbox_client_id',
    clientSecret: process.env.K2_CLIENT_SECRET || 'sandbox_client_secret',
    apiKey: process.env.K2_API_KEY || 'sandbox_api_key',
    publicUrl: process.env.PUBLIC_URL
  })
  app.start(Number(process.env.PORT || 3000)).then((url) => console.log(`checkout listening on ${url}`))
}
