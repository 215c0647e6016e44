// A node:test reporter: one line per test (ok / FAIL with its error), the output of failing
// files, and a one-line summary at the end. Used by run.sh through --test-reporter.
import path from 'node:path'
import { inspect } from 'node:util'

function describeError (error) {
  // node:test wraps the thrown value in an ERR_TEST_FAILURE whose `cause` is the real one.
  const cause = error && error.cause !== undefined ? error.cause : error
  if (cause instanceof Error) return cause.stack || String(cause)
  return inspect(cause, { depth: 6, breakLength: 120 })
}

export default async function * reporter (source) {
  let passed = 0
  let failed = 0
  const failures = []
  for await (const event of source) {
    const data = event.data || {}
    const file = data.file ? path.basename(data.file) : ''
    switch (event.type) {
      case 'test:pass':
        if (data.details && data.details.type === 'suite') break
        if (data.skip || data.todo) break
        passed++
        yield `ok    ${file} > ${data.name}\n`
        break
      case 'test:fail': {
        if (data.details && data.details.type === 'suite') break
        failed++
        const name = data.file && data.name === data.file ? '(the file itself)' : data.name
        const text = describeError(data.details && data.details.error)
        failures.push(`${file} > ${name}`)
        yield `FAIL  ${file} > ${name}\n${text.replace(/^/gm, '      ')}\n`
        break
      }
      case 'test:stderr':
      case 'test:stdout':
        yield `      [${file}] ${data.message}`
        break
      default:
        break
    }
  }
  if (failures.length) {
    yield `\nFailed tests:\n${failures.map(f => `  - ${f}`).join('\n')}\n`
  }
  yield `\nk2-connect-node 2.0.0 against k2mock: ${passed} passed, ${failed} failed\n`
}
