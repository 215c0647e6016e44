<?php

declare(strict_types=1);

namespace K2Mock;

/** A K2 API request from k2mock's journal (`at` in sandbox time); `/__admin` requests are not kept. */
final class RecordedRequest
{
    public function __construct(
        public readonly string $at,
        public readonly string $method,
        public readonly string $path,
        public readonly int $status,
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((string)$entry['at'], (string)$entry['method'], (string)$entry['path'], (int)$entry['status']);
    }
}
