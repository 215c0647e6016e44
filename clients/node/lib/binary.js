'use strict'
// Finding the k2mock executable: the `bin` option, else $K2MOCK_BIN, else `k2mock` on PATH.
const fs = require('node:fs')
const os = require('node:os')
const path = require('node:path')
const { K2MockBinaryNotFoundError } = require('./errors')

const VERSION = require('../package.json').version
const ARCH = { x64: 'x86_64', arm64: 'aarch64' }[os.arch()] || os.arch()
// Where a k2mock binary comes from when there is none.
const TARBALL = `dist/k2mock-${VERSION}-linux-${ARCH}.tar.gz`
const HOW_TO_GET_ONE = 'Set K2MOCK_BIN to the k2mock binary, or put k2mock on PATH. No binary yet? ' +
  `\`make dist\` in a k2mock checkout writes the release tarball ${TARBALL} ` +
  '(unpack it anywhere; the binary is its bin/k2mock), and `swift build` writes .build/debug/k2mock.'

function problem (file) {
  let stat
  try { stat = fs.statSync(file) } catch (_) { return 'which does not exist' }
  if (!stat.isFile()) return 'which is not a file'
  try { fs.accessSync(file, fs.constants.X_OK) } catch (_) { return 'which is not executable' }
  return null
}

function onPath (env) {
  const dirs = (env.PATH || '').split(path.delimiter).filter(Boolean)
  const names = process.platform === 'win32' ? ['k2mock.exe', 'k2mock'] : ['k2mock']
  for (const dir of dirs) {
    for (const name of names) {
      const file = path.join(dir, name)
      if (!problem(file)) return file
    }
  }
  return null
}

// The k2mock executable's path; throws K2MockBinaryNotFoundError naming K2MOCK_BIN, PATH and
// the release tarball. A K2MOCK_BIN that is set but wrong is an error (it is never skipped for
// another k2mock on PATH).
function findBinary (bin, env = process.env) {
  if (bin) {
    const why = problem(bin)
    if (!why) return bin
    throw new K2MockBinaryNotFoundError(`k2mock not found: the bin option is ${bin}, ${why}. ${HOW_TO_GET_ONE}`,
      { searched: [bin] })
  }
  if (env.K2MOCK_BIN) {
    const why = problem(env.K2MOCK_BIN)
    if (!why) return env.K2MOCK_BIN
    throw new K2MockBinaryNotFoundError(
      `k2mock not found: K2MOCK_BIN is ${env.K2MOCK_BIN}, ${why} (PATH was not searched). ${HOW_TO_GET_ONE}`,
      { searched: [env.K2MOCK_BIN] })
  }
  const found = onPath(env)
  if (found) return found
  throw new K2MockBinaryNotFoundError(
    `k2mock not found: K2MOCK_BIN is not set and there is no k2mock on PATH (${env.PATH || 'empty'}). ${HOW_TO_GET_ONE}`,
    { searched: (env.PATH || '').split(path.delimiter).filter(Boolean) })
}

module.exports = { findBinary, TARBALL, VERSION }
