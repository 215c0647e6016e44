<?php

declare(strict_types=1);

namespace K2Mock;

/**
 * k2mock refused the scenario: each of `problems` is one of its `FILE:LINE:COLUMN: message`
 * lines (the message holds them all).
 */
final class ScenarioException extends StartException
{
    /** @param list<string> $problems */
    public function __construct(string $message, ?int $exitCode, string $log, public readonly array $problems)
    {
        parent::__construct($message, $exitCode, $log);
    }
}
