<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\CallbackReceiver;
use K2Mock\K2MockException;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\TestCase;

/** The WithK2Mock trait: one server per class, reset before each test, stopped after the class. */
final class TraitTest extends TestCase
{
    use WithK2Mock;

    /** @return array<string, array{int}> */
    public function twice(): array
    {
        return ['first' => [1], 'second' => [2]];
    }

    /** @dataProvider twice */
    public function testEachTestStartsFromTheScenariosStart(int $run): void
    {
        $k2 = self::k2mock();
        self::assertSame([], array_filter($k2->resources(), fn ($r) => !$r->isFixture()), "run $run: nothing created yet");
        self::assertSame([], $k2->callbacks());
        self::assertSame([], self::k2mockReceiver()->received(), 'the receiver is emptied too');
        self::assertSame(201, $k2->request('POST', '/api/v2/incoming_payments', Repo::stkPush(self::k2mockReceiver()->url()),
            ['token' => Repo::DOCS_TOKEN])->status);
        $k2->advance(10);
        self::assertCount(1, self::k2mockReceiver()->received());
        self::assertSame('sandbox_api_key', self::k2mockReceiver()->apiKey());
        self::assertStringStartsWith('http://127.0.0.1:', self::k2mockReceiver()->url(), 'its k2mock runs here, whatever K2MOCK_CALLBACK_HOST says');
    }

    public function testTheHooksStartAndStopAServerPerClass(): void
    {
        $class = new class ('hooks') extends TestCase {
            use WithK2Mock;

            protected static function k2mockOptions(): array
            {
                return ['scenario' => Repo::path('scenarios/ci-pipeline.yaml')];
            }

            protected static function k2mockResetsBeforeEachTest(): bool
            {
                return false;
            }

            public static function server(): \K2Mock\K2Mock
            {
                return self::k2mock();
            }
        };
        $class::k2mockStartServer();
        $server = $class::server();
        $pid = (int)$server->pid();
        self::assertNotSame(self::k2mock()->baseUrl(), $server->baseUrl(), 'a server of its own');
        self::assertSame(Repo::path('scenarios/ci-pipeline.yaml'), $server->scenario());
        $server->advance(5);
        $class->k2mockResetServer();
        self::assertSame('2021-01-28T10:00:05.000+03:00', $server->clock()['now'], 'not reset: the class said so');
        try {
            $class::assertK2MockExpectations();
            self::fail('ci-pipeline.yaml expects requests that were not made');
        } catch (AssertionFailedError $e) {
            self::assertStringContainsString("k2mock expectations failed:\n  requests POST /api/v1/payments: expected 4, got 0",
                $e->getMessage());
        }
        $class::k2mockStopServer();
        self::assertTrue(Repo::gone($pid));
        $this->expectException(K2MockException::class);
        $this->expectExceptionMessage('k2mock is not running');
        $class::server();
    }

    public function testAReceiverForAK2mockInAContainerListensOnEveryInterface(): void
    {
        // 127.0.0.2 stands in for host.docker.internal: not loopback's name, but it reaches this machine.
        $receiver = CallbackReceiver::start(['apiKey' => 'sandbox_api_key', 'host' => '127.0.0.2']);
        try {
            self::assertSame('http://127.0.0.2:' . $receiver->port() . '/k2/result', $receiver->url());
            $cmdline = str_replace("\0", ' ', (string)file_get_contents('/proc/' . $receiver->pid() . '/cmdline'));
            self::assertStringContainsString(' -S 0.0.0.0:0 ', $cmdline, 'php -S listens on every interface');
            self::assertSame(201, self::k2mock()->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url()),
                ['token' => Repo::DOCS_TOKEN])->status);
            self::k2mock()->advance(10);
            self::assertSame([true], array_map(fn ($c) => $c->verified, $receiver->received()));
        } finally {
            $receiver->stop();
        }
    }
}
