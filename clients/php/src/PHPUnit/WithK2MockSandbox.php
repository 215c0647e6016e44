<?php

declare(strict_types=1);

namespace K2Mock\PHPUnit;

use K2Mock\CallbackReceiver;
use K2Mock\ConflictException;
use K2Mock\ExpectationResult;
use K2Mock\K2Mock;
use K2Mock\K2MockException;
use K2Mock\NotFoundException;
use K2Mock\Sandbox;

/**
 * For a PHPUnit 9.6 TestCase: a sandbox of its own for each test, on one k2mock shared by the
 * process (SharedServer: `$K2MOCK_URL`, else one started), deleted after the test; and a
 * receiver per test that checks signatures with the sandbox's api key. Tests never see each
 * other's payments, clocks, callbacks or expectations, so they may run in parallel
 * (ParaTest) against one server given by `K2MOCK_URL`.
 *
 *     final class CheckoutTest extends TestCase
 *     {
 *         use WithK2MockSandbox;
 *
 *         public function testPaid(): void
 *         {
 *             $sandbox = $this->k2mockSandbox();
 *             [$credentials] = $sandbox->credentials();     // client_id, client_secret, api_key
 *             $shop = new Shop($sandbox->baseUrl(), $credentials['client_id'], ...);
 *             ...
 *             $sandbox->advance(10);
 *             [$callback] = $this->k2mockReceiver()->received();
 *             self::assertTrue($callback->verified);
 *         }
 *     }
 *
 * Sandboxes are named after the test only (`CheckoutTest_testPaid`), the same in every run,
 * serial or under ParaTest's workers, since a transcript snapshot depends on the name; `-2`,
 * `-3`, ... appended when the name is taken (a crashed run's, on a server given by K2MOCK_URL).
 */
trait WithK2MockSandbox
{
    private ?Sandbox $k2mockTestSandbox = null;
    private ?CallbackReceiver $k2mockTestReceiver = null;

    /** The sandbox's options (K2Mock::sandbox() minus `name`); override. A scenario path is read by the server. */
    protected function k2mockSandboxOptions(): array
    {
        return ['clock' => 'manual'];
    }

    /** The server the sandboxes are made on; override to start one of your own. */
    protected function k2mockServer(): K2Mock
    {
        return SharedServer::get();
    }

    /** @before */
    public function k2mockMakeSandbox(): void
    {
        $name = self::k2mockSandboxName(static::class, $this->getName());
        $options = $this->k2mockSandboxOptions();
        for ($n = 1; ; $n++) {
            try {
                $this->k2mockTestSandbox = $this->k2mockServer()->sandbox(['name' => $n === 1 ? $name : "$name-$n"] + $options);
                return;
            } catch (ConflictException $e) {
                if ($n >= 50) {
                    throw $e;
                }
            }
        }
    }

    /** @after */
    public function k2mockDeleteSandbox(): void
    {
        $this->k2mockTestReceiver?->stop();
        $this->k2mockTestReceiver = null;
        if ($this->k2mockTestSandbox !== null && !$this->k2mockTestSandbox->isDeleted()) {
            try {
                $this->k2mockTestSandbox->delete();
            } catch (NotFoundException) {
                // deleted by the test, or ended by its ttl
            }
        }
        $this->k2mockTestSandbox = null;
    }

    /** This test's sandbox. */
    protected function k2mockSandbox(): Sandbox
    {
        return $this->k2mockTestSandbox ?? throw new K2MockException('no sandbox: it is made before each test');
    }

    /**
     * This test's receiver, started at first use, checking signatures with the sandbox's api
     * key. `$K2MOCK_CALLBACK_HOST`: the name a k2mock in a container reaches this machine by.
     */
    protected function k2mockReceiver(): CallbackReceiver
    {
        return $this->k2mockTestReceiver ??= CallbackReceiver::start(['apiKey' => $this->k2mockSandbox()->apiKey(),
            'host' => getenv('K2MOCK_CALLBACK_HOST') ?: '127.0.0.1']);
    }

    /** Fails the test, naming each of the sandbox's `expect` entries that does not hold. */
    public function assertK2MockExpectations(): void
    {
        $expectations = $this->k2mockSandbox()->expectations();
        static::assertTrue($expectations->passed, "k2mock expectations failed:\n  " . implode("\n  ",
            array_map(fn (ExpectationResult $result) => $result->description, $expectations->failures())));
    }

    /**
     * Compares this test's sandbox's transcript with the snapshot at `$path`, a relative path
     * starting at the directory of this test class's file (`'__snapshots__/paid.yaml'`). Writes
     * it when it is missing or `K2MOCK_UPDATE_SNAPSHOTS=1`; else fails the test listing each
     * difference (AdminApi::assertTranscript()). Throws ConflictException (k2mock's 409) when
     * k2mockSandboxOptions() asks for a real clock. The sandbox's name is part of the
     * transcript: it is the test's (k2mockSandboxName()), the same in every run.
     */
    public function assertK2MockTranscript(string $path): void
    {
        TranscriptSnapshot::assert($this->k2mockSandbox(), $path, static::class);
    }

    /**
     * A sandbox name k2mock accepts (`[A-Za-z0-9_-]`, at most 61 characters: room for `-NN`),
     * distinct per test class, test and data set, and nothing else: no worker, process or
     * random part, so that a transcript snapshot made serially matches one made under ParaTest.
     */
    public static function k2mockSandboxName(string $class, string $test): string
    {
        $short = substr($class, (int)strrpos('\\' . $class, '\\'));
        $test = (string)preg_replace('/ with data set #?/', '_', $test);
        $name = trim((string)preg_replace(['/[^A-Za-z0-9_-]+/', '/__+/'], '_', "{$short}_$test"), '_-');
        $name = $name === '' ? 'test' : $name;
        if (strlen($name) > 61) {
            $name = substr($name, 0, 52) . '-' . substr(hash('sha256', "$class::$test"), 0, 8);
        }
        return $name;
    }
}
