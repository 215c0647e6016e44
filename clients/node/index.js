'use strict'
// k2mock for Node tests: start the k2mock binary (the offline Kopo Kopo K2 Connect sandbox) on a
// free port, or connect to one that runs, drive its admin API, make isolated sandboxes on it,
// and receive its signed callbacks. No dependencies.
const { K2Mock, Sandbox, AdminAPI, DEFAULT_CREDENTIALS } = require('./lib/server')
const { CallbackReceiver, ReceivedCallback, kopoKopoSignature, verifySignature } = require('./lib/receiver')
const { Response } = require('./lib/http')
const { findBinary, VERSION } = require('./lib/binary')
const { useK2Mock, useK2MockSandbox, sandboxName } = require('./lib/hooks')
// Every error class (BY_STATUS is the kit's own lookup, not exported).
const { BY_STATUS, ...errors } = require('./lib/errors')

module.exports = {
  K2Mock,
  Sandbox,
  AdminAPI,
  CallbackReceiver,
  ReceivedCallback,
  Response,
  useK2Mock,
  useK2MockSandbox,
  sandboxName,
  findBinary,
  kopoKopoSignature,
  verifySignature,
  DEFAULT_CREDENTIALS,
  VERSION,
  ...errors
}
