'use strict'
// The kit's errors. Every one is a K2MockError; `code` says which without instanceof (handy
// across Jest's module registries).

class K2MockError extends Error {
  constructor (message, options) {
    super(message, options)
    this.name = this.constructor.name
    this.code = 'K2MOCK_ERROR'
  }
}

// The k2mock binary is not where K2MOCK_BIN says, nor on PATH.
class K2MockBinaryNotFoundError extends K2MockError {
  constructor (message, { searched } = {}) {
    super(message)
    this.code = 'K2MOCK_BINARY_NOT_FOUND'
    this.searched = searched || []
  }
}

// `k2mock serve` exited before it listened (an invalid scenario: `stderr` holds its
// FILE:LINE:COLUMN lines, and so does the message), or did not listen in time.
class K2MockStartError extends K2MockError {
  constructor (message, { exitCode = null, signal = null, stderr = '' } = {}) {
    super(message)
    this.code = 'K2MOCK_START_FAILED'
    this.exitCode = exitCode
    this.signal = signal
    this.stderr = stderr
  }
}

// Nothing answers at `url` (refused, unknown host, timed out).
class K2MockUnreachableError extends K2MockError {
  constructor (message, { url, cause } = {}) {
    super(message, cause ? { cause } : undefined)
    this.code = 'K2MOCK_UNREACHABLE'
    this.url = url
  }
}

// The admin API answered an error: `status`, and `errorMessage`, K2's `error_message` (for an
// invalid scenario it names FILE:LINE:COLUMN and the key).
class K2MockAPIError extends K2MockError {
  constructor (message, { method, path, status, errorMessage, body } = {}) {
    super(message)
    this.code = 'K2MOCK_API_ERROR'
    this.method = method
    this.path = path
    this.status = status
    this.errorMessage = errorMessage
    this.body = body
  }
}

// 401 from /__admin: the admin token is missing or wrong.
class K2MockAdminTokenError extends K2MockAPIError {
  constructor (message, details) { super(message, details); this.code = 'K2MOCK_ADMIN_TOKEN' }
}

// 404: no such sandbox (never made, deleted, ended by its ttl), or no such delivery.
class K2MockNotFoundError extends K2MockAPIError {
  constructor (message, details) { super(message, details); this.code = 'K2MOCK_NOT_FOUND' }
}

// 409: a sandbox of that name (or with one of its credentials) exists already; or a snapshot
// transcript asked of a sandbox on a real clock or without a seed (`errorMessage` is k2mock's reason).
class K2MockConflictError extends K2MockAPIError {
  constructor (message, details) { super(message, details); this.code = 'K2MOCK_CONFLICT' }
}

// A CallbackReceiver's waitFor(n) ran out of time.
class K2MockTimeoutError extends K2MockError {
  constructor (message, { expected, received } = {}) {
    super(message)
    this.code = 'K2MOCK_TIMEOUT'
    this.expected = expected
    this.received = received
  }
}

const BY_STATUS = { 401: K2MockAdminTokenError, 404: K2MockNotFoundError, 409: K2MockConflictError }

module.exports = {
  K2MockError,
  K2MockBinaryNotFoundError,
  K2MockStartError,
  K2MockUnreachableError,
  K2MockAPIError,
  K2MockAdminTokenError,
  K2MockNotFoundError,
  K2MockConflictError,
  K2MockTimeoutError,
  BY_STATUS
}
