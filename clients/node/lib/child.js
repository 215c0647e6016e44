'use strict'
// `k2mock serve` as a child process that never outlives this one.
//
// On a POSIX system the binary is started through a small /bin/sh wrapper: it keeps a copy of
// the read end of a pipe whose only write end is this process's `child.stdin`, forks a watcher
// that blocks reading it, then `exec`s k2mock (same pid, so `pid` is k2mock's). However this
// process ends (stop(), exit, a crash, SIGKILL), the kernel closes the write end; the watcher
// reads EOF and, if k2mock is still its parent (checked in /proc, so a reused pid is never
// hit), sends it SIGTERM, then SIGKILL 10 s later if it is still there. After k2mock exits by
// itself the watcher is reparented and does nothing; the kit closes the pipe then, so the
// watcher ends too. The watcher ignores INT, HUP, QUIT and TERM, so only the pipe ends it.
const { spawn } = require('node:child_process')
const fs = require('node:fs')
const readline = require('node:readline')
const { K2MockStartError } = require('./errors')

const LISTENING = 'k2mock listening on '
const LOG_LINES = 1000

const WATCHDOG = `
exec 3<&0 </dev/null
(
  trap '' INT HUP QUIT TERM
  read -r _ <&3
  exec 3<&-
  owned () {
    pp=
    read -r _ _ _ pp _ 2>/dev/null </proc/self/stat
    if [ -n "$pp" ]; then [ "$pp" = "$$" ]; else kill -0 "$$" 2>/dev/null; fi
  }
  if owned; then
    kill -TERM "$$" 2>/dev/null
    i=0
    while [ "$i" -lt 10 ] && owned; do sleep 1; i=$((i + 1)); done
    if owned; then kill -KILL "$$" 2>/dev/null; fi
  fi
) >/dev/null 2>&1 &
exec "$@" 3<&-
`

const live = new Set()
let exitHook = false
function killAllAtExit () {
  if (exitHook) return
  exitHook = true
  // A normal exit (process.exit, the loop ran dry): SIGTERM now, without waiting for the pipe.
  process.on('exit', () => { for (const child of live) { try { child.kill('SIGTERM') } catch (_) {} } })
}

function hasShell () {
  if (process.platform === 'win32') return false
  try { fs.accessSync('/bin/sh', fs.constants.X_OK); return true } catch (_) { return false }
}

// Starts `binary args...`; resolves { child, origin, log, exited } once it printed its
// `k2mock listening on URL` line. `log` keeps its last stderr lines; `exited` resolves
// { code, signal } when it ends.
function startServer (binary, args, { env, cwd, startTimeout }) {
  const watched = hasShell()
  const child = watched
    ? spawn('/bin/sh', ['-c', WATCHDOG, 'k2mock', binary, ...args], { stdio: ['pipe', 'pipe', 'pipe'], env, cwd })
    : spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], env, cwd })
  live.add(child)
  killAllAtExit()

  const log = []
  let stderrText = ''
  let stderrDone
  const stderrClosed = new Promise((resolve) => { stderrDone = resolve })
  child.stderr.setEncoding('utf8')
  child.stderr.on('data', (chunk) => {
    if (stderrText.length < 65536) stderrText += chunk
  })
  child.stderr.on('close', stderrDone)
  const stderrLines = readline.createInterface({ input: child.stderr, crlfDelay: Infinity })
  stderrLines.on('line', (line) => {
    log.push(line)
    if (log.length > LOG_LINES) log.shift()
  })

  let ended
  const exited = new Promise((resolve) => { ended = resolve })
  child.once('exit', (code, signal) => {
    live.delete(child)
    if (child.stdin) child.stdin.destroy() // the watcher ends; k2mock is gone already
    ended({ code, signal })
  })
  child.once('error', (error) => { // spawn failed (ENOENT, EACCES)
    live.delete(child)
    ended({ code: null, signal: null, error })
  })
  if (child.stdin) child.stdin.on('error', () => {}) // EPIPE if the wrapper is gone

  const stdoutLines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity })
  return new Promise((resolve, reject) => {
    let settled = false
    const fail = async (message, details) => {
      if (settled) return
      settled = true
      clearTimeout(timer)
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL')
      const end = await exited
      await Promise.race([stderrClosed, new Promise((resolve) => setTimeout(resolve, 1000))])
      const stderr = stderrText.trim()
      reject(new K2MockStartError(message(end) + (stderr ? ':\n' + stderr : ''),
        { exitCode: end.code, signal: end.signal, stderr, ...details }))
    }
    const timer = setTimeout(() => fail(() => `k2mock did not listen within ${startTimeout} ms (${binary})`), startTimeout)
    stdoutLines.once('line', (line) => {
      if (settled) return
      if (!line.startsWith(LISTENING)) {
        fail(() => `k2mock printed ${JSON.stringify(line)} where "${LISTENING}URL" was expected (${binary})`)
        return
      }
      settled = true
      clearTimeout(timer)
      stdoutLines.on('line', () => {}) // keep draining
      // A server the tests forget to stop does not hold the event loop open: when this process
      // ends, the watchdog stops k2mock.
      child.unref()
      for (const stream of [child.stdin, child.stdout, child.stderr]) if (stream && stream.unref) stream.unref()
      resolve({ child, origin: line.slice(LISTENING.length).trim().replace(/\/+$/, ''), log, exited, watched })
    })
    exited.then((end) => {
      if (end.error) fail(() => `k2mock could not be started (${binary}): ${end.error.message}`)
      else fail(() => end.signal ? `k2mock was killed by ${end.signal} before it listened`
        : `k2mock exited with status ${end.code} before it listened`)
    })
  })
}

module.exports = { startServer, LISTENING }
