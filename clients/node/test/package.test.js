'use strict'
// The package as a user gets it: require('k2mock') and import { K2Mock } from 'k2mock' by name,
// the same exports both ways and in index.d.ts, installed with npm from this folder, and the
// parity suite failing for a case it does not implement.
const { test } = require('node:test')
const assert = require('node:assert/strict')
const fs = require('node:fs')
const path = require('node:path')
const { spawnSync } = require('node:child_process')
const h = require('./helpers')
const kit = require('..')

const PKG = JSON.parse(fs.readFileSync(path.join(h.KIT, 'package.json'), 'utf8'))

test('package.json: name, version, engines, CommonJS main, an ESM entry, types, no dependencies', () => {
  assert.equal(PKG.name, 'k2mock')
  assert.equal(PKG.version, fs.readFileSync(path.join(h.REPO, 'VERSION'), 'utf8').trim())
  assert.deepEqual(PKG.engines, { node: '>=18' })
  assert.equal(PKG.main, './index.js')
  assert.deepEqual(PKG.exports['.'], { types: './index.d.ts', import: './index.mjs', require: './index.js' })
  assert.deepEqual(PKG.dependencies || {}, {})
  assert.equal(PKG.devDependencies, undefined)
  for (const file of PKG.files) assert.ok(fs.existsSync(path.join(h.KIT, file)), file)
})

test('require("k2mock") and import { K2Mock } from "k2mock", by name, give the same objects', async (t) => {
  const dir = h.projectWithKit(t)
  fs.writeFileSync(path.join(dir, 'both.mjs'), `
    import { createRequire } from 'node:module'
    import * as esm from 'k2mock'
    import { K2Mock } from 'k2mock'
    const cjs = createRequire(import.meta.url)('k2mock')
    const names = Object.keys(esm).filter((n) => n !== 'default').sort()
    if (JSON.stringify(names) !== JSON.stringify(Object.keys(cjs).sort())) throw new Error('names differ: ' + names)
    for (const name of names) if (esm[name] !== cjs[name]) throw new Error(name + ' differs')
    if (K2Mock !== cjs.K2Mock || esm.default !== cjs) throw new Error('not the same K2Mock')
    const k2 = await K2Mock.start({ clock: 'manual' })
    console.log(JSON.stringify({ names, mode: (await k2.clock()).mode, code: await k2.stop() }))
  `)
  const { code, stdout, stderr } = await h.runNode(['both.mjs'], { cwd: dir })
  assert.equal(code, 0, stderr)
  const result = JSON.parse(stdout)
  assert.deepEqual(result.names, Object.keys(kit).sort())
  assert.deepEqual([result.mode, result.code], ['manual', 0])
})

test('index.d.ts declares every export, and nothing that is not one', () => {
  const dts = fs.readFileSync(path.join(h.KIT, 'index.d.ts'), 'utf8')
  const declared = [...dts.matchAll(/^export declare (?:abstract )?(?:class|function|const) (\w+)/gm)].map((m) => m[1])
  assert.deepEqual([...new Set(declared)].sort(), Object.keys(kit).sort())
})

// What the d.ts needs of @types/node (not packaged for Debian): a stand-in of its few types, as
// @types/node >= 20 declares them (Symbol.asyncDispose included).
const NODE_TYPES = `
  declare class Buffer extends Uint8Array { toString (encoding?: string): string; equals (other: Uint8Array): boolean }
  declare namespace NodeJS { interface ProcessEnv { [key: string]: string | undefined } }
  interface SymbolConstructor { readonly asyncDispose: unique symbol }
`
const USER_CODE = (from) => `
  import { K2Mock, CallbackReceiver, useK2Mock, useK2MockSandbox, K2MockAPIError, K2MockError } from '${from}'
  import { sandboxName } from '${from}'
  import type { Delivery, Resource, TranscriptDiff, TranscriptAssertionError, RequestExplanation, CallbackState } from '${from}'
  async function main (): Promise<number | string | null> {
    const k2 = await K2Mock.start({ clock: 'manual', seed: 1, args: ['--log-format', 'none'] })
    const receiver = await CallbackReceiver.start({ apiKey: 'sandbox_api_key', statuses: [500, { status: 200, body: 'ok' }] })
    const ran = await k2.advance(10)
    const deliveries: Delivery[] = await k2.callbacks({ limit: 5 })
    const resources: Resource[] = await k2.resources()
    const why: RequestExplanation = await k2.explainRequest((await k2.requests())[0].id)
    const because: string | null = why.k2_message
    const explained = await k2.explainResource(resources[0].id)
    const state: CallbackState | undefined = explained.callback?.state
    console.log(why.summary, because, why.ignored_keys.join(), explained.timeline?.steps.length, state)
    const sandbox = await k2.sandbox({ name: 'x', ttl: 60 })
    const id: string = sandbox.credentials[0].client_id + sandbox.baseUrl + ran.now + deliveries.length + resources.length
    await k2.fireEvent('customer_created', { a: 1 }, { badSignature: true, delay: '30s' })
    const got = await receiver.waitFor(1, { timeout: 100 })
    const verified: boolean | null = got[0].verified
    const status: number = (await k2.request('GET', '/x', undefined, { token: 't' })).status
    const text: string = await sandbox.transcript({ snapshot: true })
    const diff: TranscriptDiff = await k2.diffTranscripts(text, await k2.transcript())
    try { await sandbox.assertTranscript('snapshots/x.yaml') } catch (error) {
      const failure = error as TranscriptAssertionError
      console.log(failure.snapshot, failure.differences.join(' '), diff.equal, sandboxName('a.test.js::x'))
    }
    try { await sandbox.delete() } catch (error) {
      if (error instanceof K2MockAPIError) console.log(error.status, error.errorMessage, id, verified, status)
      else if (error instanceof K2MockError) console.log(error.code)
    }
    return k2.stop()
  }
  const fixture = useK2Mock({ scenario: 'x.yaml', receiver: true, resetEach: true })
  const url: string = fixture.receiver.url() + fixture.baseUrl + useK2MockSandbox({ perTest: true }).sandbox.id
  void fixture.assertTranscript('own.yaml')
  void fixture.explainRequest(1).then((e) => e.request.id + e.details.length)
  // @ts-expect-error: a request's id is a number
  void fixture.explainRequest('1')
  // @ts-expect-error: not an option
  K2Mock.start({ scenaro: 'x' })
  void main; void url
`

test('the d.ts type-checks a user\'s code, CommonJS and ES module (when tsc is installed)', { skip: !which('tsc') && 'tsc is not installed' }, (t) => {
  const dir = h.projectWithKit(t)
  fs.mkdirSync(path.join(dir, 'types', 'node'), { recursive: true })
  fs.writeFileSync(path.join(dir, 'types', 'node', 'index.d.ts'), NODE_TYPES)
  fs.writeFileSync(path.join(dir, 'use.ts'), USER_CODE('k2mock'))
  fs.writeFileSync(path.join(dir, 'use.mts'), USER_CODE('k2mock'))
  const tsc = (...args) => spawnSync('tsc', ['--noEmit', '--strict', '--target', 'es2020', '--typeRoots', './types', '--types', 'node', ...args],
    { cwd: dir, encoding: 'utf8' })
  const cjs = tsc('--module', 'commonjs', '--moduleResolution', 'node', 'use.ts')
  assert.equal(cjs.status, 0, cjs.stdout + cjs.stderr)
  const esm = tsc('--module', 'node16', '--moduleResolution', 'node16', 'use.mts')
  assert.equal(esm.status, 0, esm.stdout + esm.stderr)
})

test('npm install ./clients/node works offline, with nothing to fetch', { skip: !which('npm') && 'npm is not installed' }, (t) => {
  const dir = h.tmpdir(t)
  fs.writeFileSync(path.join(dir, 'package.json'), JSON.stringify({ name: 'app', version: '1.0.0', private: true }))
  const run = spawnSync('npm', ['install', '--offline', '--no-audit', '--no-fund', '--ignore-scripts', h.KIT],
    { cwd: dir, encoding: 'utf8', env: { ...process.env, npm_config_cache: path.join(dir, '.npm-cache'), npm_config_update_notifier: 'false' } })
  assert.equal(run.status, 0, run.stdout + run.stderr)
  const installed = JSON.parse(fs.readFileSync(path.join(dir, 'package.json'), 'utf8'))
  assert.match(installed.dependencies.k2mock, /^file:/)
  const check = spawnSync(process.execPath, ['-e', "const { K2Mock, VERSION } = require('k2mock'); console.log(typeof K2Mock, VERSION)"],
    { cwd: dir, encoding: 'utf8' })
  assert.equal(check.stdout.trim(), `function ${PKG.version}`, check.stderr)
})

test('npm pack ships the code, the types and the README, not the tests', { skip: !which('npm') && 'npm is not installed' }, (t) => {
  const dir = h.tmpdir(t)
  const run = spawnSync('npm', ['pack', '--dry-run', '--json', '--offline', h.KIT], { cwd: dir, encoding: 'utf8',
    env: { ...process.env, npm_config_cache: path.join(dir, '.npm-cache'), npm_config_update_notifier: 'false' } })
  assert.equal(run.status, 0, run.stderr)
  const files = JSON.parse(run.stdout)[0].files.map((f) => f.path).sort()
  const lib = fs.readdirSync(path.join(h.KIT, 'lib')).map((f) => `lib/${f}`)
  assert.deepEqual(files, ['README.md', 'index.d.ts', 'index.js', 'index.mjs', ...lib, 'package.json'].sort())
})

test('the parity suite fails for a case id it does not implement', async (t) => {
  const parity = JSON.parse(fs.readFileSync(path.join(h.REPO, 'clients', 'parity.json'), 'utf8'))
  parity.cases.push({ id: 'brand-new-case', does: 'Something no kit does yet.' })
  const file = path.join(h.tmpdir(t), 'parity.json')
  fs.writeFileSync(file, JSON.stringify(parity))
  const { code, stdout } = await h.runNode(['--test', '--test-reporter=tap', '--test-name-pattern=^(brand-new-case|version)$',
    path.join(__dirname, 'parity.test.js')], { env: { ...process.env, K2MOCK_PARITY_FILE: file } })
  assert.equal(code, 1)
  assert.match(stdout, /not ok \d+ - brand-new-case/)
  assert.match(stdout, /parity case brand-new-case has no implementation in the Node kit's suite: Something no kit does yet\./)
  assert.match(stdout, /^ok \d+ - version/m)
})

function which (command) {
  return (process.env.PATH || '').split(path.delimiter).some((dir) => {
    try { fs.accessSync(path.join(dir, command), fs.constants.X_OK); return true } catch (_) { return false }
  })
}

test('the README\'s test runs as it is written (node:test, the official SDK, the kit by name)', async (t) => {
  const readme = fs.readFileSync(path.join(h.KIT, 'README.md'), 'utf8')
  const section = readme.slice(readme.indexOf('## In a test'))
  const code = /```js\n([\s\S]*?)```/.exec(section)[1]
  const dir = h.projectWithKit(t)
  fs.writeFileSync(path.join(dir, 'readme.test.js'), code)
  const { code: status, stdout, stderr } = await h.runNode(['--test', '--test-reporter=tap', 'readme.test.js'], { cwd: dir })
  assert.equal(status, 0, stdout + stderr)
  assert.match(stdout, /^ok 1 - an STK push is called back/m)
})
