<?php

declare(strict_types=1);

namespace K2Mock;

/** An HTTP answer: status, headers (names lowercased) and the exact body. */
final class Response
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly int $status,
        public readonly array $headers,
        public readonly string $body,
    ) {
    }

    /** The body decoded as JSON (objects as arrays). */
    public function json(): mixed
    {
        return json_decode($this->body, true, 512, JSON_THROW_ON_ERROR);
    }

    public function header(string $name): ?string
    {
        return $this->headers[strtolower($name)] ?? null;
    }

    /** The `location` header of a create (`201`), or null. */
    public function location(): ?string
    {
        return $this->header('location');
    }
}
