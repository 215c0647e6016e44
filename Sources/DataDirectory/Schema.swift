/// The tables of `k2mock.sqlite` (README "A sandbox that survives restarts" documents them for
/// the `sqlite3` shell). `commands` is what a restart replays; the views read it for people.
enum Schema {
    /// The layout this k2mock writes; a data directory with another is refused.
    static let version = "2"

    static let statements = [
        // What the data directory was made from: scenario digest, seed, clock, start time.
        "CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)",
        // Every command, in the order it was applied: at_ms is sandbox time, wall_ms the system's;
        // name and args are the command's case and arguments (`SandboxCommand`), made the id or
        // token it made, which a replay must make again.
        // `sandbox` is the sandbox's id, '' for the server's own.
        """
        CREATE TABLE IF NOT EXISTS commands (
            seq INTEGER PRIMARY KEY, sandbox TEXT NOT NULL DEFAULT '', at_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL,
            name TEXT NOT NULL, args TEXT NOT NULL, made TEXT)
        """,
        "CREATE INDEX IF NOT EXISTS commands_by_sandbox ON commands (sandbox, seq)",
        // The sandboxes made beside the server's own (POST /__admin/sandboxes), while they live:
        // what each was made from (its SandboxSpec as JSON, its scenario's files included), its
        // start (sandbox time) and when its real clock last started counting (wall time).
        """
        CREATE TABLE IF NOT EXISTS sandboxes (
            seq INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE, spec TEXT NOT NULL, start_ms INTEGER NOT NULL,
            anchor_wall_ms INTEGER NOT NULL)
        """,
        // The request journal (GET /__admin/requests), written in the background.
        """
        CREATE TABLE IF NOT EXISTS requests (
            seq INTEGER PRIMARY KEY, sandbox TEXT NOT NULL DEFAULT '', at_ms INTEGER NOT NULL, method TEXT NOT NULL,
            path TEXT NOT NULL, status INTEGER NOT NULL)
        """,
        "CREATE INDEX IF NOT EXISTS requests_by_sandbox ON requests (sandbox, seq)",
        """
        CREATE VIEW IF NOT EXISTS created AS
        SELECT seq, sandbox, strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS at,
               args ->> '$.kind' AS kind, made AS id, args ->> '$.clientID' AS client_id,
               args -> '$.body' AS request
        FROM commands WHERE name = 'create'
        """,
        """
        CREATE VIEW IF NOT EXISTS tokens AS
        SELECT c.seq, c.sandbox, strftime('%Y-%m-%dT%H:%M:%fZ', c.at_ms / 1000.0, 'unixepoch') AS issued_at,
               c.args ->> '$.clientID' AS client_id, c.made AS token,
               EXISTS (SELECT 1 FROM commands r WHERE r.name = 'revokeToken' AND r.sandbox = c.sandbox
                       AND r.args ->> '$.token' = c.made) AS revoked
        FROM commands c WHERE c.name = 'issueToken'
        """,
        """
        CREATE VIEW IF NOT EXISTS attempts AS
        SELECT seq, sandbox, strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS recorded_at,
               args ->> '$.deliveryID' AS delivery_id, args ->> '$.redelivery' AS redelivery,
               args ->> '$.result.status' AS status, args ->> '$.result.error' AS error,
               args ->> '$.result.latencyMilliseconds' AS latency_ms,
               CASE name WHEN 'attemptLost' THEN 1 ELSE args ->> '$.result.interrupted' END AS interrupted
        FROM commands WHERE name IN ('attemptEnded', 'attemptLost')
        """,
    ]
}
