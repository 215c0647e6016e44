<?php

declare(strict_types=1);

namespace K2Mock;

/** The scenario's `expect` entries checked now: `passed` when every one holds. */
final class Expectations
{
    /** @param list<ExpectationResult> $results */
    public function __construct(public readonly bool $passed, public readonly array $results)
    {
    }

    /** @param array<string, mixed> $answer */
    public static function fromArray(array $answer): self
    {
        return new self((bool)$answer['passed'], array_map([ExpectationResult::class, 'fromArray'], $answer['results'] ?? []));
    }

    /** @return list<ExpectationResult> the entries that do not hold */
    public function failures(): array
    {
        return array_values(array_filter($this->results, fn (ExpectationResult $result) => !$result->passed));
    }
}
