<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * One attempt at a delivery: `at` when it was sent and `due` when it was due (sandbox time),
 * `status` the receiver's HTTP status or `error` why there was none, `outcome` `delivered`,
 * `failed` or `pending`.
 */
final class Attempt
{
    public function __construct(
        public readonly int $attempt,
        public readonly ?string $at,
        public readonly ?string $due,
        public readonly bool $redelivery,
        public readonly ?int $status,
        public readonly ?string $error,
        public readonly ?float $latencyMs,
        public readonly string $outcome,
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((int)$entry['attempt'], $entry['at'] ?? null, $entry['due'] ?? null,
            (bool)($entry['redelivery'] ?? false), isset($entry['status']) ? (int)$entry['status'] : null,
            $entry['error'] ?? null, isset($entry['latency_ms']) ? (float)$entry['latency_ms'] : null,
            (string)$entry['outcome']);
    }
}
