<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * The admin API answered an error. `status` is the HTTP status (400, 401, 404, 409, 429, ...),
 * `errorMessage` K2's `error_message` (for an invalid scenario it names FILE:LINE:COLUMN and
 * the key), `method` and `path` the request's.
 */
class ApiException extends K2MockException
{
    public function __construct(
        string $description,
        public readonly string $method,
        public readonly string $path,
        public readonly int $status,
        public readonly string $errorMessage,
    ) {
        parent::__construct($description, $status);
    }
}
