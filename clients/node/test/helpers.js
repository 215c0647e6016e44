'use strict'
// Shared by the kit's tests: paths, the binary, and small probes. Every server here runs on a
// manual clock unless a test says otherwise; nothing sleeps waiting for sandbox time.
const fs = require('node:fs')
const net = require('node:net')
const os = require('node:os')
const path = require('node:path')
const { spawn } = require('node:child_process')
const readline = require('node:readline')

const KIT = path.resolve(__dirname, '..')
const REPO = path.resolve(KIT, '..', '..')
const SCENARIOS = path.join(REPO, 'scenarios')
const HAPPY = path.join(SCENARIOS, 'happy-path.yaml')
const FAILURES = path.join(SCENARIOS, 'failures.yaml')
const DOCS_TOKEN = '0Sn0W6kzNicvoWhDbQcVSKLRUpGjIdlPSEYyrHqrDDoRnQwE7Q'
const DOCS_PAYMENT = '/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364'

// `node --test` from clients/node with nothing set: the checkout's debug build.
if (!process.env.K2MOCK_BIN && fs.existsSync(path.join(REPO, '.build', 'debug', 'k2mock'))) {
  process.env.K2MOCK_BIN = path.join(REPO, '.build', 'debug', 'k2mock')
}
const BIN = () => process.env.K2MOCK_BIN

function stkPush (callbackUrl, { phone = '+254799999999', amount = 100, metadata } = {}) {
  return {
    payment_channel: 'M-PESA STK Push',
    till_number: 'K000000',
    subscriber: { phone_number: phone },
    amount: { currency: 'KES', value: amount },
    ...(metadata ? { metadata } : {}),
    _links: { callback_url: callbackUrl }
  }
}

function oauthForm (clientId, clientSecret) {
  return [new URLSearchParams({ grant_type: 'client_credentials', client_id: clientId, client_secret: clientSecret }).toString(),
    { headers: { 'Content-Type': 'application/x-www-form-urlencoded' } }]
}

const created = (resources) => resources.filter((r) => r.created_at !== null)

function tmpdir (t) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'k2mock-node-'))
  if (t && t.after) t.after(() => fs.rmSync(dir, { recursive: true, force: true }))
  return dir
}

// A process exists and is not a zombie (an exited k2mock whose new parent never reaps it).
function alive (pid) {
  try { process.kill(pid, 0) } catch (error) { return error.code === 'EPERM' }
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    return stat.slice(stat.lastIndexOf(')') + 2)[0] !== 'Z'
  } catch (_) {
    return false
  }
}

// Waits (wall time) for a process to be gone: a process's death is not on k2mock's clock.
async function gone (pid, timeout = 15000) {
  const deadline = Date.now() + timeout
  while (alive(pid)) {
    if (Date.now() > deadline) return false
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  return true
}

// A port nothing listens on (bound, then released).
function closedPort () {
  return new Promise((resolve, reject) => {
    const probe = net.createServer()
    probe.on('error', reject)
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => resolve(port))
    })
  })
}

// `k2mock serve` started as another program would start it (not through the kit).
async function startSeparately (...args) {
  const child = spawn(BIN(), ['serve', '--port', '0', '--log-format', 'none', ...args], { stdio: ['ignore', 'pipe', 'inherit'] })
  const line = await new Promise((resolve, reject) => {
    readline.createInterface({ input: child.stdout }).once('line', resolve)
    child.once('exit', (code) => reject(new Error(`k2mock exited ${code}`)))
  })
  if (!line.startsWith('k2mock listening on ')) throw new Error(line)
  const exited = new Promise((resolve) => child.once('exit', (code, signal) => resolve(code ?? signal)))
  return {
    child,
    url: line.slice('k2mock listening on '.length).trim(),
    exited,
    stop: async () => { if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM'); return exited }
  }
}

// Runs `node args...`; resolves {code, signal, stdout, stderr}.
function runNode (args, { cwd, env, timeout = 60000 } = {}) {
  return new Promise((resolve, reject) => {
    const clean = { ...(env || process.env) }
    delete clean.NODE_TEST_CONTEXT // set by the test runner for its own children: a nested run must not see it
    const child = spawn(process.execPath, args, { cwd, env: clean, stdio: ['ignore', 'pipe', 'pipe'] })
    let stdout = ''
    let stderr = ''
    child.stdout.on('data', (c) => { stdout += c })
    child.stderr.on('data', (c) => { stderr += c })
    const timer = setTimeout(() => child.kill('SIGKILL'), timeout)
    child.on('error', reject)
    child.on('close', (code, signal) => { clearTimeout(timer); resolve({ code, signal, stdout, stderr }) })
  })
}

// A folder with node_modules/k2mock -> this kit, so code there says require('k2mock').
function projectWithKit (t) {
  const dir = tmpdir(t)
  fs.mkdirSync(path.join(dir, 'node_modules'))
  fs.symlinkSync(KIT, path.join(dir, 'node_modules', 'k2mock'), 'dir')
  return dir
}

module.exports = {
  KIT, REPO, SCENARIOS, HAPPY, FAILURES, DOCS_TOKEN, DOCS_PAYMENT, BIN,
  stkPush, oauthForm, created, tmpdir, alive, gone, closedPort, startSeparately, runNode, projectWithKit
}
