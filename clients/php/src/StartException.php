<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * `k2mock serve` exited before it listened, or did not listen in time. `exitCode` is its exit
 * status (null if it was still running and had to be killed); `log` is what it wrote on stderr.
 */
class StartException extends K2MockException
{
    public function __construct(string $message, public readonly ?int $exitCode, public readonly string $log)
    {
        parent::__construct($message);
    }
}
