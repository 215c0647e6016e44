<?php

declare(strict_types=1);

namespace K2Mock\PHPUnit;

use K2Mock\AdminApi;
use K2Mock\TranscriptMismatchException;
use PHPUnit\Framework\Assert;

/**
 * The traits' `assertK2MockTranscript()`: AdminApi::assertTranscript() with a relative path
 * starting at the directory of the test class's file, and a mismatch failing the test.
 *
 * @internal
 */
final class TranscriptSnapshot
{
    public static function assert(AdminApi $api, string $path, string $testClass): string
    {
        $file = AdminApi::absolutePath($path, self::directoryOf($testClass));
        try {
            $api->assertTranscript($file);
        } catch (TranscriptMismatchException $e) {
            Assert::fail($e->getMessage());
        }
        Assert::assertFileExists($file);
        return $file;
    }

    /** The directory of the file that declares `$class` (the current directory for a class with no file). */
    public static function directoryOf(string $class): ?string
    {
        $file = class_exists($class) ? (new \ReflectionClass($class))->getFileName() : false;
        return $file === false ? null : dirname($file);
    }
}
