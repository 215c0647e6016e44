<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * A K2 API request from k2mock's journal (`at` in sandbox time); `/__admin` requests are not kept.
 * `id` numbers it in its sandbox, from 1: what `explainRequest()` takes (null from a k2mock too old
 * to number them).
 */
final class RecordedRequest
{
    public function __construct(
        public readonly string $at,
        public readonly string $method,
        public readonly string $path,
        public readonly int $status,
        public readonly ?int $id = null,
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((string)$entry['at'], (string)$entry['method'], (string)$entry['path'], (int)$entry['status'],
            isset($entry['id']) ? (int)$entry['id'] : null);
    }
}
