<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * One request a `CallbackReceiver` got: method, path (with query), headers as sent, the exact
 * body, `signature` (`X-KopoKopo-Signature`, as a PHP app reads it from
 * `$_SERVER['HTTP_X_KOPOKOPO_SIGNATURE']`; null when absent), `status` (what the receiver
 * answered) and `verified`: whether the signature is right for the receiver's api key (null
 * when the receiver has none).
 */
final class ReceivedCallback
{
    /** @param array<string, string> $headers */
    public function __construct(
        public readonly string $method,
        public readonly string $path,
        public readonly array $headers,
        public readonly string $body,
        public readonly ?string $signature,
        public readonly int $status,
        public readonly ?bool $verified,
    ) {
    }

    /** A header by name, any case; null when absent. */
    public function header(string $name): ?string
    {
        foreach ($this->headers as $key => $value) {
            if (strcasecmp((string)$key, $name) === 0) {
                return $value;
            }
        }
        return null;
    }

    /** The body decoded as JSON (objects as arrays). */
    public function json(): mixed
    {
        return json_decode($this->body, true, 512, JSON_THROW_ON_ERROR);
    }
}
