// Types for k2mock's Node kit (hand-written; the code is plain JavaScript, no dependencies).

/// <reference types="node" />

export declare const VERSION: string

/** The default scenario's client: sandbox_client_id / sandbox_client_secret / sandbox_api_key. */
export declare const DEFAULT_CREDENTIALS: Readonly<{ clientId: string, clientSecret: string, apiKey: string }>

// ---------------------------------------------------------------------------------------------
// Errors

/** Every error of the kit. `code` names the kind without instanceof. */
export declare class K2MockError extends Error {
  code: string
}

/** The binary is not where K2MOCK_BIN (or the `bin` option) says, nor on PATH. */
export declare class K2MockBinaryNotFoundError extends K2MockError {
  code: 'K2MOCK_BINARY_NOT_FOUND'
  searched: string[]
}

/** `k2mock serve` exited before it listened (an invalid scenario: `stderr` and the message carry
 *  k2mock's FILE:LINE:COLUMN lines), or did not listen within `startTimeout`. */
export declare class K2MockStartError extends K2MockError {
  code: 'K2MOCK_START_FAILED'
  exitCode: number | null
  signal: string | null
  stderr: string
}

/** Nothing answers at `url`. */
export declare class K2MockUnreachableError extends K2MockError {
  code: 'K2MOCK_UNREACHABLE'
  url: string
}

/** The admin API answered an error. `errorMessage` is K2's `error_message`. */
export declare class K2MockAPIError extends K2MockError {
  method: string
  path: string
  status: number
  errorMessage: string
  body: string
}

/** 401 from /__admin: the admin token is missing or wrong. */
export declare class K2MockAdminTokenError extends K2MockAPIError { code: 'K2MOCK_ADMIN_TOKEN' }
/** 404: no such sandbox (never made, deleted, ended by its ttl) or delivery. */
export declare class K2MockNotFoundError extends K2MockAPIError { code: 'K2MOCK_NOT_FOUND' }
/** 409: a sandbox of that name (or with one of its credentials) exists already; or a snapshot
 *  transcript asked of a sandbox on a real clock or without a seed (`errorMessage` is k2mock's reason). */
export declare class K2MockConflictError extends K2MockAPIError { code: 'K2MOCK_CONFLICT' }

/** A receiver's waitFor(n) ran out of time (or the receiver stopped). */
export declare class K2MockTimeoutError extends K2MockError {
  code: 'K2MOCK_TIMEOUT'
  expected: number
  received: number
}

// ---------------------------------------------------------------------------------------------
// What the admin API answers

export declare class Response {
  status: number
  /** Names lowercased. */
  headers: Record<string, string | string[] | undefined>
  body: Buffer
  readonly text: string
  /** The parsed body; undefined when it is empty or not JSON. */
  readonly json: any
  readonly location: string | undefined
}

export interface Attempt {
  attempt: number
  /** When it was sent (sandbox time). */
  at: string
  /** When it was due. */
  due: string
  redelivery: boolean
  status: number | null
  error: string | null
  latency_ms: number
  outcome: string
}

/** A callback (`kind` 'callback', about `resource`/`resource_id`) or a webhook event (`kind`
 *  'webhook', `topic`/`event_id`), with every attempt. `body` is the exact bytes sent. */
export interface Delivery {
  id: number
  kind: 'callback' | 'webhook'
  url: string
  outcome: 'pending' | 'delivered' | 'failed'
  created_at: string
  signature: string
  body: string
  attempts: Attempt[]
  resource?: string
  resource_id?: string
  topic?: string
  event_id?: string
  [key: string]: unknown
}

export interface RecordedRequest {
  /** What explainRequest(id) takes. */
  id: number
  at: string
  method: string
  path: string
  status: number
}

export interface TimelineStep {
  stage: string
  at: string
  reached: boolean
}

/** A stored resource; `stage` and `created_at` are null for fixtures; `body` is what `GET path` answers. */
export interface Resource {
  kind: string
  id: string
  stage: string | null
  created_at: string | null
  timeline: TimelineStep[]
  path: string
  body: any
}

/** explainRequest's answer: why k2mock answered a request as it did. */
export interface RequestExplanation {
  request: RecordedRequest
  /** One line: K2's message and, for a refusal, the field K2 wanted and what the body had instead. */
  summary: string
  /** The `error_message` k2mock answered; null when it answered no error. */
  k2_message: string | null
  details: string[]
  /** Keys of the body K2 does not read (a camelCase `phoneNumber`, `customer` for `subscriber`, ...). */
  ignored_keys: string[]
}

export type CallbackState = 'none' | 'none asked' | 'not due yet' | 'due' | 'retrying' | 'delivered' | 'given up'

export interface ExplainedAttempt {
  attempt: number
  at: string
  status: number | null
  error: string | null
  outcome: string
}

export interface CallbackExplanation {
  state: CallbackState
  why?: string
  url?: string
  /** The delivery's id, as callbacks() and redeliver() know it. */
  delivery?: number
  next_attempt_at?: string
  attempts?: ExplainedAttempt[]
  sent_signature?: string
  /** Which client's api key signs it, and how (the key itself is not shown). */
  signed_with?: { client: string, key: string, signature: string }
  [key: string]: unknown
}

/** explainResource's answer: why a resource is where it is, and where its callback stands. */
export interface ResourceExplanation {
  /** `stage` and `created_at` are null for fixtures. */
  resource: { kind: string, id: string, path: string, stage: string | null, created_at: string | null }
  summary: string
  /** Null for fixtures. `chosen_by`: the rule or timeline (with its scenario line) that chose the stages. */
  timeline: { chosen_by: string, steps: TimelineStep[], now: string } | null
  /** Null for fixtures. */
  callback: CallbackExplanation | null
}

export interface Clock {
  now: string
  mode: 'manual' | 'real'
  scale: number
}

export interface Advanced extends Clock {
  /** Stage changes `{at, resource, id, stage}`, events `{at, event, id, deliveries}` and callback
   *  attempts `{at, callback, attempt, url, status, error, outcome}`, in the order they ran. */
  ran: Array<Record<string, any>>
}

export interface TranscriptDiff {
  equal: boolean
  /** 'entry 2, POST /api/v2/incoming_payments: request_body.amount.value: "1500" → "2500"', ... */
  differences: string[]
}

/** What assertTranscript rejects with: node:assert's AssertionError (code 'ERR_ASSERTION'),
 *  with the snapshot's absolute path and k2mock's differences (empty when the file is unreadable). */
export interface TranscriptAssertionError extends Error {
  code: 'ERR_ASSERTION'
  operator: 'k2mock transcript'
  snapshot: string
  differences: string[]
}

export interface ExpectationResult {
  description: string
  expected: number
  actual: number
  passed: boolean
}

export interface Expectations {
  passed: boolean
  results: ExpectationResult[]
}

export interface Health {
  status: string
  scenario: string
  clock: string
  deliveries: { pending: number, delivered: number, failed: number }
}

export interface FireEventOptions {
  /** '30s', '5m' (or seconds): postpones the first attempt. */
  delay?: string | number
  /** Extra copies, each its own journal entry. */
  duplicates?: number
  /** Signed with a wrong key, so a correct handler refuses it. */
  badSignature?: boolean
}

export interface RequestOptions {
  /** Sent as `Authorization: Bearer <token>`. */
  token?: string
  headers?: Record<string, string>
  /** ms; default 60000. */
  timeout?: number
}

export interface BaseUrls {
  node: string
  php: string
  python: string
  ruby: string
}

/** The admin calls, shared by a K2Mock (the server's own sandbox) and a Sandbox. */
export declare abstract class AdminAPI {
  /** http://HOST:PORT */
  readonly origin: string
  /** The base URL as the official Node SDK (k2-connect-node) takes it: no trailing slash. */
  readonly baseUrl: string
  /** The base URL in each official SDK's form (Python and Ruby with a trailing '/'). */
  readonly baseUrls: BaseUrls
  readonly port: number
  readonly adminToken: string | undefined

  /** Any request: a path on this server, or a full URL (a K2 `location`); `body` a Buffer or string
   *  as it is, anything else as JSON. Resolves for any status. */
  request (method: string, path: string, body?: unknown, options?: RequestOptions): Promise<Response>
  /** An admin call under this sandbox's /__admin root; rejects with a typed error for another status than `expect` (200). */
  admin<T = any> (method: string, path: string, body?: unknown, options?: { expect?: number, timeout?: number }): Promise<T>
  health (): Promise<Health>
  clock (): Promise<Clock>
  /** Moves sandbox time forward and runs what falls due, callbacks included; resolves once they ran. */
  advance (seconds: number): Promise<Advanced>
  reset (): Promise<any>
  callbacks (options?: { limit?: number, resourceId?: string }): Promise<Delivery[]>
  redeliver (id: number): Promise<Delivery>
  requests (options?: { limit?: number }): Promise<RecordedRequest[]>
  /** Why k2mock answered request `id` (a RecordedRequest's `id`) as it did. Rejects with
   *  K2MockNotFoundError (`errorMessage`: k2mock's) when there is no such request, or it is no longer kept. */
  explainRequest (id: number): Promise<RequestExplanation>
  /** Why resource `id` is at its stage, what comes next, and where its callback stands. Rejects
   *  with K2MockNotFoundError (`errorMessage`: k2mock's) when there is no such resource. */
  explainResource (id: string): Promise<ResourceExplanation>
  resources (): Promise<Resource[]>
  fireEvent (topic: string, resource?: Record<string, unknown> | null, options?: FireEventOptions): Promise<any>
  expectations (): Promise<Expectations>
  /** Rejects with node:assert's AssertionError naming every expectation that does not hold. */
  assertExpectations (): Promise<void>
  /** The whole conversation as k2mock writes it (YAML text, ports as placeholders). `snapshot`:
   *  one fit to compare with a later run's; a real clock or no seed rejects with K2MockConflictError (409). */
  transcript (options?: { snapshot?: boolean }): Promise<string>
  /** k2mock's comparison of two transcript texts; K2MockAPIError (400) when one is not a transcript. */
  diffTranscripts (expected: string, actual: string): Promise<TranscriptDiff>
  /** A snapshot test of the whole conversation against the file `path` (relative: to process.cwd()).
   *  No file yet, or K2MOCK_UPDATE_SNAPSHOTS=1: writes it and resolves. The same bytes: resolves.
   *  Else rejects with a TranscriptAssertionError (node:assert's AssertionError) naming the file
   *  and listing k2mock's differences, or k2mock's reason when the file is not a transcript.
   *  A real clock or no seed rejects with K2MockConflictError (409). */
  assertTranscript (path: string): Promise<void>
  kinds (): Promise<Array<{ kind: string, stages: string[], final: string[] }>>
  topics (): Promise<string[]>
  /** An OAuth token, as an app asks for one (default: this sandbox's first credential, or the default scenario's). */
  accessToken (credentials?: { clientId?: string, clientSecret?: string }): Promise<string>
}

export interface StartOptions {
  /** A scenario file; none: the built-in default scenario. */
  scenario?: string
  clock?: 'manual' | 'real'
  timeScale?: number
  seed?: number
  adminToken?: string
  /** More `k2mock serve` arguments (a string is split on spaces). */
  args?: string[] | string
  /** The binary; else $K2MOCK_BIN, else `k2mock` on PATH. */
  bin?: string
  env?: NodeJS.ProcessEnv
  cwd?: string
  /** ms; default 10000. */
  startTimeout?: number
}

export interface SandboxOptions {
  /** 1 to 64 of [A-Za-z0-9_-]; none: the server numbers it sandbox-N (useK2MockSandbox: named after the test, see sandboxName). */
  name?: string
  /** A scenario file's path, read by the server. */
  scenario?: string
  /** A scenario's text. */
  scenarioYaml?: string
  seed?: number
  clock?: 'manual' | 'real'
  timeScale?: number
  /** Idle time after which it ends: '30s', '15m', '1h', '1d', or seconds. */
  ttl?: string | number
}

export interface Credential {
  client_id: string
  client_secret: string
  api_key: string
}

export declare class K2Mock extends AdminAPI {
  /** Starts `k2mock serve --host 127.0.0.1 --port 0`; resolves once it listens. It never
   *  outlives this process, and does not keep the event loop alive. */
  static start (options?: StartOptions): Promise<K2Mock>
  /** A k2mock this process did not start; stop() leaves it running. Waits up to `timeout` ms (10000) for it to answer. */
  static connect (url: string, options?: { adminToken?: string, timeout?: number }): Promise<K2Mock>

  adminToken: string | undefined
  /** The scenario file it was started with (connect(): the one the server names). */
  scenario: string | undefined
  /** The last 1000 lines k2mock wrote on stderr (started servers). */
  readonly log: string[]
  /** The binary it was started from (started servers). */
  readonly binary: string | undefined
  /** Started through the /bin/sh watchdog that stops it when this process ends (false only where there is no /bin/sh). */
  readonly watched: boolean | undefined
  readonly connected: boolean
  /** k2mock's process id (undefined when connected). */
  readonly pid: number | undefined
  readonly running: boolean | undefined
  readonly exitCode: number | string | null

  /** SIGTERM and wait (SIGKILL after `timeout` ms); resolves the exit status (0), or null when connected. */
  stop (options?: { timeout?: number }): Promise<number | string | null>
  sandbox (options?: SandboxOptions): Promise<Sandbox>
  sandboxes (): Promise<Sandbox[]>
  getSandbox (id: string): Promise<Sandbox>
  [Symbol.asyncDispose] (): Promise<unknown>
}

export declare class Sandbox extends AdminAPI {
  readonly server: K2Mock
  readonly id: string
  readonly name: string
  readonly scenario: string
  readonly seed: number | null
  readonly ttl: string | null
  /** The scenario's credentials with -<name> appended. */
  readonly credentials: Credential[]
  readonly tokens: Array<{ value: string, client_id: string }>
  readonly adminUrl: string
  readonly info: Record<string, any>
  readonly deleted: boolean
  readonly clientId: string | undefined
  readonly clientSecret: string | undefined
  /** Signs this sandbox's callbacks. */
  readonly apiKey: string | undefined
  /** The first pre-issued token. */
  readonly token: string | undefined
  /** Its tokens answer 401 from then on; its pending deliveries are dropped. */
  delete (): Promise<{ id: string, deleted: boolean, dropped_deliveries: number }>
  [Symbol.asyncDispose] (): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Callbacks

export declare function kopoKopoSignature (body: Buffer | string, apiKey: string): string
export declare function verifySignature (body: Buffer | string, signature: string | undefined, apiKey: string): boolean

export declare class ReceivedCallback {
  method: string
  path: string
  /** Names lowercased. */
  headers: Record<string, string | string[] | undefined>
  /** The exact bytes. */
  body: Buffer
  /** The signature is right for the receiver's api key; null when it has none. */
  verified: boolean | null
  receivedAt: Date
  readonly text: string
  readonly signature: string | undefined
  json (): any
}

export type Answer = number | { status: number, body?: unknown, headers?: Record<string, string> }

export interface ReceiverOptions {
  apiKey?: string | null
  statuses?: Answer[]
  /** The name k2mock reaches this machine by; not loopback: listens on every interface. */
  host?: string
  port?: number
}

export declare class CallbackReceiver {
  static start (options?: ReceiverOptions): Promise<CallbackReceiver>
  apiKey: string | null
  readonly host: string
  readonly port: number
  readonly received: ReceivedCallback[]
  url (path?: string): string
  respondWith (...answers: Answer[]): void
  at (path: string): ReceivedCallback[]
  clear (): void
  /** Wall-clock wait; rejects with K2MockTimeoutError after `timeout` ms (10000). */
  waitFor (count: number, options?: { timeout?: number }): Promise<ReceivedCallback[]>
  assertAllVerified (): void
  stop (): Promise<void>
  [Symbol.asyncDispose] (): Promise<void>
}

// ---------------------------------------------------------------------------------------------
// Test-framework helpers

export interface Hooks {
  before?: (fn: () => unknown) => unknown
  after?: (fn: () => unknown) => unknown
  beforeAll?: (fn: () => unknown) => unknown
  afterAll?: (fn: () => unknown) => unknown
  beforeEach?: (fn: () => unknown) => unknown
  afterEach?: (fn: () => unknown) => unknown
}

export interface UseK2MockOptions extends StartOptions {
  receiver?: boolean | ReceiverOptions
  resetEach?: boolean
  hooks?: Hooks
}

export interface UseK2MockSandboxOptions extends SandboxOptions {
  /** Default $K2MOCK_URL; none: a server is started for this file. */
  url?: string
  /** Default $K2MOCK_ADMIN_TOKEN. */
  adminToken?: string
  server?: StartOptions
  perTest?: boolean
  receiver?: boolean | ReceiverOptions
  hooks?: Hooks
}

/** A stand-in for the K2Mock the before hook starts. `ready` settles once it is: await it in a
 *  before hook of your own (node:test runs top-level before hooks side by side). */
export declare function useK2Mock (options?: UseK2MockOptions):
  K2Mock & { readonly server: K2Mock, readonly receiver: CallbackReceiver, readonly ready: Promise<K2Mock> }
/** A stand-in for the Sandbox the before hook (or, with perTest, each beforeEach) makes. Without
 *  `name`, it is named sandboxName('<file>') (perTest: sandboxName('<file>::<test name>')), the
 *  file relative to its package's root; `-2`, `-3`, ... when that name is taken. */
export declare function useK2MockSandbox (options?: UseK2MockSandboxOptions):
  Sandbox & { readonly sandbox: Sandbox, readonly server: K2Mock, readonly receiver: CallbackReceiver, readonly ready: Promise<K2Mock> }

/** The sandbox name useK2MockSandbox gives the test `testId` ('test/shop.test.js::pays 100' →
 *  'test_shop_test_js_pays_100'): runs of other characters than [A-Za-z0-9_-] made one `_`; a long
 *  one keeps its end and gains a hash of the whole id (61 characters at most). */
export declare function sandboxName (testId: string): string

export declare function findBinary (bin?: string, env?: NodeJS.ProcessEnv): string
