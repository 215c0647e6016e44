<?php

declare(strict_types=1);

namespace K2Mock;

/** Nothing answered at `url` (refused, unknown host, timed out, or not a k2mock URL). */
final class UnreachableException extends K2MockException
{
    public function __construct(string $message, public readonly string $url)
    {
        parent::__construct($message);
    }
}
