<?php

// No strict_types: trim(null) is then the deprecation PHP 8.1 made it, not a TypeError.

namespace K2Mock\Tests\Fixtures;

use PHPUnit\Framework\TestCase;

/** Run by SuiteTest with the kit's phpunit.xml: each test must fail (not pass with a warning). */
final class WarnsCase extends TestCase
{
    public function testAWarning(): void
    {
        $answer = [];
        self::assertNull($answer['status'] ?? null);
        self::assertNull(@$answer['silenced']);
        self::assertNull($answer['data']);
    }

    public function testADeprecation(): void
    {
        $object = new \stdClass();
        self::assertSame(4, strlen(trim(null ?? 'abcd')));
        self::assertSame(0, strlen(trim(null)));
        self::assertIsObject($object);
    }
}
