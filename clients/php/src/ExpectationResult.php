<?php

declare(strict_types=1);

namespace K2Mock;

/** One `expect` entry of the scenario, checked: what it counts, the count wanted and the count now. */
final class ExpectationResult
{
    public function __construct(
        public readonly string $description,
        public readonly int $expected,
        public readonly int $actual,
        public readonly bool $passed,
    ) {
    }

    /** @param array<string, mixed> $entry */
    public static function fromArray(array $entry): self
    {
        return new self((string)$entry['description'], (int)$entry['expected'], (int)$entry['actual'], (bool)$entry['passed']);
    }
}
