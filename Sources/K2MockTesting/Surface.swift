public import K2Sandbox
public import OrderedJSON

// What a test names when it uses `withSandbox`, and nothing more of the core: the sandbox's
// results (deliveries, occurrences, resources, journals, expectations), time, and JSON. Their
// members come with them. Tests that need the core itself (its kinds, its commands) depend on
// the package's modules directly, as this repository's own tests do.

/// A callback or webhook delivery, with every attempt and its `outcome` (`TestSandbox.callbacks()`).
public typealias Delivery = K2Sandbox.Delivery
/// What an advance ran: a stage change, a fired event, an attempt and how it went.
public typealias Occurrence = K2Sandbox.Occurrence
public typealias StageChange = K2Sandbox.StageChange
public typealias FiredEvent = K2Sandbox.FiredEvent
/// A POST to make and what came back, as an `Occurrence.attempt` carries them.
public typealias DeliveryJob = K2Sandbox.DeliveryJob
public typealias DeliveryResult = K2Sandbox.DeliveryResult
/// A resource as `/__admin/resources` lists it: kind, id, stage, timeline, body.
public typealias ResourceSnapshot = K2Sandbox.ResourceSnapshot
public typealias ResourceKind = K2Sandbox.ResourceKind
public typealias Stage = K2Sandbox.Stage
/// A journalled K2 API request.
public typealias RequestRecord = K2Sandbox.RequestRecord
/// A scenario expectation with the count it saw.
public typealias ExpectationResult = K2Sandbox.ExpectationResult
/// Sandbox time, and lengths of it.
public typealias Timestamp = K2Sandbox.Timestamp
public typealias TimeSpan = K2Sandbox.TimeSpan
public typealias ClockMode = K2Sandbox.ClockMode
/// A client of a sandbox: id, secret, api key (which signs its callbacks).
public typealias ClientCredentials = K2Sandbox.ClientCredentials
/// An invalid scenario: every issue with its file, line and key.
public typealias ScenarioError = K2Sandbox.ScenarioError
/// The sandbox behind a `TestSandbox` (`TestSandbox.sandbox`).
public typealias Sandbox = K2Sandbox.Sandbox
/// JSON that keeps key order and number lexemes (an event's `resource`).
public typealias JSON = OrderedJSON.JSON
public typealias JSONObject = OrderedJSON.JSONObject
