'use strict'
// k2mock for Node tests: start the k2mock binary (the offline Kopo Kopo K2 Connect sandbox) on a
// free port, or connect to one that runs, drive its admin API, make isolated sandboxes on it,
// and receive its signed callbacks. No dependencies.
const { K2Mock, Sandbox, AdminAPI, DEFAULT_CREDENTIALS } = require('./lib/server')
const { CallbackReceiver, ReceivedCallback, kopoKopoSignature, verifySignature } = require('./lib/receiver')
const { Response } = require('./lib/http')
const { findBinary, VERSION } = require('./lib/binary')
const { useK2Mock, useK2MockSandbox } = require('./lib/hooks')
const errors = require('./lib/errors')

module.exports = {
  K2Mock,
  Sandbox,
  AdminAPI,
  CallbackReceiver,
  ReceivedCallback,
  Response,
  useK2Mock,
  useK2MockSandbox,
  findBinary,
  kopoKopoSignature,
  verifySignature,
  DEFAULT_CREDENTIALS,
  VERSION,
  K2MockError: errors.K2MockError,
  K2MockBinaryNotFoundError: errors.K2MockBinaryNotFoundError,
  K2MockStartError: errors.K2MockStartError,
  K2MockUnreachableError: errors.K2MockUnreachableError,
  K2MockAPIError: errors.K2MockAPIError,
  K2MockAdminTokenError: errors.K2MockAdminTokenError,
  K2MockNotFoundError: errors.K2MockNotFoundError,
  K2MockConflictError: errors.K2MockConflictError,
  K2MockTimeoutError: errors.K2MockTimeoutError
}
