// The ES module entry: `import { K2Mock } from 'k2mock'`. The same objects as require('k2mock').
import kit from './index.js'

export const {
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
  K2MockError,
  K2MockBinaryNotFoundError,
  K2MockStartError,
  K2MockUnreachableError,
  K2MockAPIError,
  K2MockAdminTokenError,
  K2MockNotFoundError,
  K2MockConflictError,
  K2MockTimeoutError
} = kit
export default kit
