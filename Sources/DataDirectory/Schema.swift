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
        """
        CREATE TABLE IF NOT EXISTS commands (
            seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, wall_ms INTEGER NOT NULL,
            name TEXT NOT NULL, args TEXT NOT NULL, made TEXT)
        """,
        // The request journal (GET /__admin/requests), written in the background.
        """
        CREATE TABLE IF NOT EXISTS requests (
            seq INTEGER PRIMARY KEY, at_ms INTEGER NOT NULL, method TEXT NOT NULL,
            path TEXT NOT NULL, status INTEGER NOT NULL)
        """,
        """
        CREATE VIEW IF NOT EXISTS created AS
        SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS at,
               args ->> '$.kind' AS kind, made AS id, args ->> '$.clientID' AS client_id,
               args -> '$.body' AS request
        FROM commands WHERE name = 'create'
        """,
        """
        CREATE VIEW IF NOT EXISTS tokens AS
        SELECT c.seq, strftime('%Y-%m-%dT%H:%M:%fZ', c.at_ms / 1000.0, 'unixepoch') AS issued_at,
               c.args ->> '$.clientID' AS client_id, c.made AS token,
               EXISTS (SELECT 1 FROM commands r WHERE r.name = 'revokeToken'
                       AND r.args ->> '$.token' = c.made) AS revoked
        FROM commands c WHERE c.name = 'issueToken'
        """,
        """
        CREATE VIEW IF NOT EXISTS attempts AS
        SELECT seq, strftime('%Y-%m-%dT%H:%M:%fZ', at_ms / 1000.0, 'unixepoch') AS recorded_at,
               args ->> '$.deliveryID' AS delivery_id, args ->> '$.redelivery' AS redelivery,
               args ->> '$.result.status' AS status, args ->> '$.result.error' AS error,
               args ->> '$.result.latencyMilliseconds' AS latency_ms,
               CASE name WHEN 'attemptLost' THEN 1 ELSE args ->> '$.result.interrupted' END AS interrupted
        FROM commands WHERE name IN ('attemptEnded', 'attemptLost')
        """,
    ]
}
