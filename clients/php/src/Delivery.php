<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * A callback (`kind` `callback`, about `resource` / `resourceId`) or webhook event (`kind`
 * `webhook`, `topic` / `eventId`) from k2mock's journal, with every attempt. `body` is the exact
 * bytes sent, `signature` their `X-KopoKopo-Signature`; `outcome` is `pending`, `delivered` or
 * `failed`; `createdAt` is sandbox time.
 */
final class Delivery
{
    /** @param list<Attempt> $attempts */
    public function __construct(
        public readonly int $id,
        public readonly string $kind,
        public readonly string $url,
        public readonly string $outcome,
        public readonly ?string $createdAt,
        public readonly string $signature,
        public readonly string $body,
        public readonly array $attempts,
        public readonly ?string $resource = null,
        public readonly ?string $resourceId = null,
        public readonly ?string $topic = null,
        public readonly ?string $eventId = null,
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((int)$entry['id'], (string)$entry['kind'], (string)$entry['url'], (string)$entry['outcome'],
            $entry['created_at'] ?? null, (string)($entry['signature'] ?? ''), (string)$entry['body'],
            array_map([Attempt::class, 'fromArray'], $entry['attempts'] ?? []),
            $entry['resource'] ?? null, $entry['resource_id'] ?? null, $entry['topic'] ?? null, $entry['event_id'] ?? null);
    }

    /** The body decoded as JSON (objects as arrays). */
    public function json(): array
    {
        return json_decode($this->body, true, 512, JSON_THROW_ON_ERROR);
    }
}
