<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\PHPUnit\SharedServer;
use K2Mock\PHPUnit\WithK2MockSandbox;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/**
 * The WithK2MockSandbox trait: each test gets a sandbox of its own on one shared server, named
 * after it (and nothing else: no worker), deleted after it, with a receiver keyed with its api key.
 */
final class SandboxPerTestTest extends TestCase
{
    use WithK2MockSandbox;

    protected function k2mockSandboxOptions(): array
    {
        return ['clock' => 'manual', 'scenario' => Repo::path('scenarios/happy-path.yaml')];
    }

    /** @return array<string, array{int}> */
    public function amounts(): array
    {
        return ['amount 100' => [100], 'amount 200' => [200]];
    }

    /** @dataProvider amounts */
    public function testEachTestHasItsOwnSandbox(int $amount): void
    {
        $sandbox = $this->k2mockSandbox();
        self::assertSame("SandboxPerTestTest_testEachTestHasItsOwnSandbox_amount_$amount", $sandbox->name());
        self::assertSame([$sandbox->id()], array_map(fn ($s) => $s->id(), SharedServer::get()->sandboxes()),
            'the sandboxes of earlier tests were deleted');
        $receiver = $this->k2mockReceiver();
        self::assertSame($sandbox->apiKey(), $receiver->apiKey());
        $created = $sandbox->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url(), '+254799999999', $amount),
            ['token' => $sandbox->accessToken()]);
        self::assertSame(201, $created->status);
        $sandbox->advance(10);
        [$callback] = $receiver->received();
        self::assertTrue($callback->verified);
        self::assertSame((string)$amount . '.0', $callback->json()['data']['attributes']['event']['resource']['amount']);
        self::assertCount(1, array_filter($sandbox->resources(), fn ($r) => !$r->isFixture()), 'only this test\'s payment');
        $this->assertK2MockExpectations();
    }

    public function testATakenNameGetsASuffix(): void
    {
        $server = SharedServer::get();
        $name = self::k2mockSandboxName(self::class, 'testATakenNameGetsASuffix_leftover');
        $leftover = $server->sandbox(['name' => $name]);
        try {
            $this->k2mockDeleteSandbox();
            $real = $this->getName();
            $this->setName('testATakenNameGetsASuffix_leftover');
            $this->k2mockMakeSandbox();
            $this->setName($real);
            self::assertSame("$name-2", $this->k2mockSandbox()->name());
        } finally {
            $leftover->delete();
        }
    }

    public function testTheWorkerIsNoPartOfTheName(): void
    {
        $snapshot = Repo::tempDir() . '/paid.yaml';
        $pay = function (): void {
            $sandbox = $this->k2mockSandbox();
            self::assertSame('SandboxPerTestTest_testTheWorkerIsNoPartOfTheName', $sandbox->name());
            self::assertSame(201, $sandbox->request('POST', '/api/v2/incoming_payments', Repo::stkPush($this->k2mockReceiver()->url()),
                ['token' => $sandbox->accessToken()])->status);
            $sandbox->advance(10);
            self::assertCount(1, $this->k2mockReceiver()->received());
        };
        $pay();
        $this->assertK2MockTranscript($snapshot);     // serially: written
        $this->k2mockDeleteSandbox();
        putenv('TEST_TOKEN=3');                       // as ParaTest's third worker runs it
        try {
            $this->k2mockMakeSandbox();
            $pay();
        } finally {
            putenv('TEST_TOKEN');
        }
        $this->assertK2MockTranscript($snapshot);     // matches
        self::assertStringContainsString("\nsandbox: \"SandboxPerTestTest_testTheWorkerIsNoPartOfTheName\"\n",
            (string)file_get_contents($snapshot));
    }

    public function testSandboxNamesAreWhatK2mockAcceptsAndDistinct(): void
    {
        self::assertSame('CheckoutTest_testPaid', self::k2mockSandboxName('App\\Tests\\CheckoutTest', 'testPaid'));
        self::assertSame('CheckoutTest_testPaid_1500_KES',
            self::k2mockSandboxName('CheckoutTest', 'testPaid with data set "1500 KES"'));
        self::assertSame('ATest_test_2', self::k2mockSandboxName('ATest', 'test with data set #2'));
        self::assertSame('ATest_test', self::k2mockSandboxName('ATest', 'test???'));
        $a = self::k2mockSandboxName('CheckoutTest', str_repeat('a', 80) . ' with data set #1');
        $b = self::k2mockSandboxName('CheckoutTest', str_repeat('a', 80) . ' with data set #2');
        self::assertNotSame($a, $b);
        foreach ([$a, $b] as $name) {
            self::assertMatchesRegularExpression('/^[A-Za-z0-9_-]{1,61}$/', $name);
            self::assertStringStartsWith('CheckoutTest_aaaa', $name);
        }
    }
}
