<?php

declare(strict_types=1);

namespace K2Mock\Tests\Fixtures;

use K2Mock\PHPUnit\WithK2Mock;
use PHPUnit\Framework\TestCase;

/** Run by SuiteTest with K2MOCK_BIN naming nothing: every test must fail, saying why. */
final class NoBinaryCase extends TestCase
{
    use WithK2Mock;

    public function testNeedsK2mock(): void
    {
        self::assertTrue(self::k2mock()->isRunning());
    }
}
