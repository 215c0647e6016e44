<?php

declare(strict_types=1);

namespace K2Mock;

/** `assertExpectations()`: at least one of the scenario's `expect` entries does not hold. */
final class ExpectationsFailedException extends K2MockException
{
    public function __construct(string $message, public readonly Expectations $expectations)
    {
        parent::__construct($message);
    }
}
