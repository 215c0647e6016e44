<?php

declare(strict_types=1);

namespace K2Mock\PHPUnit;

use K2Mock\AdminApi;
use K2Mock\CallbackReceiver;
use K2Mock\ExpectationResult;
use K2Mock\K2Mock;
use K2Mock\K2MockException;

/**
 * For a PHPUnit 9.6 TestCase: one k2mock per test class, started before its first test and
 * stopped after its last, reset before each test; and a CallbackReceiver for the class,
 * emptied before each test.
 *
 *     final class CheckoutTest extends TestCase
 *     {
 *         use WithK2Mock;
 *
 *         protected static function k2mockOptions(): array
 *         {
 *             return ['clock' => 'manual', 'scenario' => __DIR__ . '/scenario.yaml'];
 *         }
 *
 *         public function testPaid(): void
 *         {
 *             $shop = new Shop(self::k2mock()->baseUrl(), ...);
 *             $shop->askForPayment(..., self::k2mockReceiver()->url());
 *             self::k2mock()->advance(10);
 *             ...
 *         }
 *     }
 *
 * A k2mock that cannot start (no binary, an invalid scenario) fails every test of the class
 * with the kit's exception.
 */
trait WithK2Mock
{
    private static ?K2Mock $k2mockServer = null;
    private static ?CallbackReceiver $k2mockServerReceiver = null;

    /** K2Mock::start()'s options for this class; override. Default: a manual clock, the built-in scenario. */
    protected static function k2mockOptions(): array
    {
        return ['clock' => 'manual'];
    }

    /** The api key the receiver verifies signatures with; override for another scenario. */
    protected static function k2mockApiKey(): ?string
    {
        return 'sandbox_api_key';
    }

    /** Whether k2mock is reset (and the receiver emptied) before each test; override. */
    protected static function k2mockResetsBeforeEachTest(): bool
    {
        return true;
    }

    /** @beforeClass */
    public static function k2mockStartServer(): void
    {
        self::$k2mockServer = K2Mock::start(static::k2mockOptions());
    }

    /** @before */
    public function k2mockResetServer(): void
    {
        if (self::$k2mockServer !== null && static::k2mockResetsBeforeEachTest()) {
            self::$k2mockServer->reset();
            self::$k2mockServerReceiver?->clear();
        }
    }

    /** @afterClass */
    public static function k2mockStopServer(): void
    {
        self::$k2mockServerReceiver?->stop();
        self::$k2mockServerReceiver = null;
        self::$k2mockServer?->stop();
        self::$k2mockServer = null;
    }

    /** This class's k2mock. */
    protected static function k2mock(): K2Mock
    {
        return self::$k2mockServer ?? throw new K2MockException('k2mock is not running (it is started before the first test of the class)');
    }

    /**
     * This class's receiver on 127.0.0.1 (its k2mock runs here), started at first use, checking
     * signatures with k2mockApiKey().
     */
    protected static function k2mockReceiver(): CallbackReceiver
    {
        return self::$k2mockServerReceiver ??= CallbackReceiver::start(['apiKey' => static::k2mockApiKey()]);
    }

    /** Fails the test, naming each of the scenario's `expect` entries that does not hold. */
    public static function assertK2MockExpectations(?AdminApi $api = null): void
    {
        $expectations = ($api ?? self::k2mock())->expectations();
        static::assertTrue($expectations->passed, "k2mock expectations failed:\n  " . implode("\n  ",
            array_map(fn (ExpectationResult $result) => $result->description, $expectations->failures())));
    }

    /**
     * Compares the transcript of `$api` (default: this class's k2mock) with the snapshot at
     * `$path`, a relative path starting at the directory of this test class's file
     * (`'__snapshots__/paid.yaml'`). Writes it when it is missing or `K2MOCK_UPDATE_SNAPSHOTS=1`;
     * else fails the test listing each difference (AdminApi::assertTranscript()). Throws
     * ConflictException (k2mock's 409) for a sandbox on a real clock or without a seed.
     */
    public static function assertK2MockTranscript(string $path, ?AdminApi $api = null): void
    {
        TranscriptSnapshot::assert($api ?? self::k2mock(), $path, static::class);
    }
}
