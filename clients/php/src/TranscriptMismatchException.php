<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * `assertTranscript()`: this run's transcript differs from the snapshot file `path`
 * (`differences`: each one in `k2mock transcript diff`'s words), or the file is not a transcript
 * k2mock reads (`unreadable`: k2mock's reason, such as `expected:3: not YAML: ...`; no
 * differences then). The message names the file and says how to accept this run.
 */
final class TranscriptMismatchException extends K2MockException
{
    /** The last line of the message. */
    public const ACCEPT = "Accept this run's transcript with K2MOCK_UPDATE_SNAPSHOTS=1.";

    /** @param list<string> $differences */
    public function __construct(
        string $message,
        public readonly string $path,
        public readonly array $differences,
        public readonly ?string $unreadable,
    ) {
        parent::__construct($message);
    }
}
