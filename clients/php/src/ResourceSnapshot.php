<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * A stored resource. `stage` and `createdAt` are null for fixtures; `timeline` lists its steps
 * as `['stage' => ..., 'at' => ..., 'reached' => bool]` (`at`: when reached, or when due);
 * `body` is what `GET path` answers, decoded.
 */
final class ResourceSnapshot
{
    /**
     * @param array<string, mixed> $body
     * @param list<array{stage: string, at: string, reached: bool}> $timeline
     */
    public function __construct(
        public readonly string $kind,
        public readonly string $id,
        public readonly ?string $stage,
        public readonly ?string $createdAt,
        public readonly string $path,
        public readonly array $body,
        public readonly array $timeline = [],
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((string)$entry['kind'], (string)$entry['id'], $entry['stage'] ?? null, $entry['created_at'] ?? null,
            (string)$entry['path'], (array)($entry['body'] ?? []), (array)($entry['timeline'] ?? []));
    }

    /** True for a fixture of the scenario (not created through the API). */
    public function isFixture(): bool
    {
        return $this->createdAt === null;
    }
}
