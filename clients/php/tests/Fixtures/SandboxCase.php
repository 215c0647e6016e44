<?php

declare(strict_types=1);

namespace K2Mock\Tests\Fixtures;

use K2Mock\PHPUnit\WithK2MockSandbox;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/**
 * Run by SuiteTest against a server given by K2MOCK_URL, serially and then split over two
 * processes at once as ParaTest runs them: each test pays in a sandbox of its own, checks its
 * transcript against the snapshot in SNAPSHOT_DIR and records the sandbox's name.
 */
final class SandboxCase extends TestCase
{
    use WithK2MockSandbox;

    protected function k2mockSandboxOptions(): array
    {
        return ['clock' => 'manual', 'seed' => 7];     // a seed: the same ids in every run
    }

    /** @return array<string, array{int}> */
    public function amounts(): array
    {
        return ['a' => [100], 'b' => [200], 'c' => [300]];
    }

    /** @dataProvider amounts */
    public function testPay(int $amount): void
    {
        $sandbox = $this->k2mockSandbox();
        $receiver = $this->k2mockReceiver();
        self::assertStringStartsWith('http://' . getenv('K2MOCK_CALLBACK_HOST') . ':', $receiver->url());
        $created = $sandbox->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url(), '+254799999999', $amount),
            ['token' => $sandbox->accessToken()]);
        self::assertSame(201, $created->status);
        $sandbox->advance(10);
        [$callback] = $receiver->received();
        self::assertTrue($callback->verified);
        self::assertSame("$amount.0", $callback->json()['data']['attributes']['event']['resource']['amount']);
        self::assertCount(1, array_filter($sandbox->resources(), fn ($r) => !$r->isFixture()));
        $this->assertK2MockExpectations();
        $this->assertK2MockTranscript(getenv('SNAPSHOT_DIR') . '/testPay-' . $this->dataName() . '.yaml');
        file_put_contents(getenv('RECORD_DIR') . '/' . $sandbox->name(), (string)getenv('TEST_TOKEN'));
    }
}
