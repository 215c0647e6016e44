<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\AdminApi;
use K2Mock\ApiException;
use K2Mock\NotFoundException;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\RecordedRequest;
use K2Mock\Tests\Support\Repo;
use PHPUnit\Framework\TestCase;

/**
 * "Why was it refused?": explainRequest() and explainResource() on a K2Mock and a Sandbox. The
 * default scenario on a manual clock with seed 3 (its clock starts at 2026-01-01T03:00 in
 * Nairobi), an admin token: every answer is the same in each run.
 */
final class ExplainTest extends TestCase
{
    use WithK2Mock;

    private const START = '2026-01-01T03:00:00.000+03:00';
    private const CALLBACK = 'https://shop.example/k2/result';

    protected static function k2mockOptions(): array
    {
        return ['clock' => 'manual', 'seed' => 3, 'adminToken' => 'adm', 'logFormat' => 'text'];
    }

    /** An STK push as K2's docs have it, but with the payer under `customer`, where K2 reads `subscriber`. */
    private static function withCustomer(): array
    {
        $body = Repo::stkPush(self::CALLBACK);
        $body['customer'] = $body['subscriber'];
        unset($body['subscriber']);
        return $body;
    }

    /** Sends the refused push, then a good one; returns the good one's id. */
    private static function refusedThenPaid(AdminApi $api, string $token): string
    {
        $refused = $api->request('POST', '/api/v1/incoming_payments', self::withCustomer(), ['token' => $token]);
        self::assertSame(400, $refused->status, $refused->body);
        self::assertSame('subscriber is required', $refused->json()['error_message']);
        $paid = $api->request('POST', '/api/v1/incoming_payments', Repo::stkPush(self::CALLBACK), ['token' => $token]);
        self::assertSame(201, $paid->status, $paid->body);
        return basename((string)$paid->location());
    }

    private static function assertRefusalExplained(AdminApi $api): void
    {
        [$first, $second] = $api->requests();
        self::assertEquals(new RecordedRequest(self::START, 'POST', '/api/v1/incoming_payments', 400, 1), $first);
        self::assertSame([2, 201], [$second->id, $second->status]);
        $why = $api->explainRequest($first->id);
        self::assertSame(['id' => 1, 'at' => self::START, 'method' => 'POST', 'path' => '/api/v1/incoming_payments',
            'status' => 400], $why['request']);
        self::assertSame('subscriber is required', $why['k2_message']);
        self::assertStringStartsWith('subscriber is required: ', $why['summary']);
        self::assertStringContainsString('`customer` where K2 reads `subscriber`', $why['summary']);
        self::assertSame(['customer'], $why['ignored_keys']);
        self::assertIsArray($why['details']);
        $fine = $api->explainRequest($second->id);
        self::assertSame([null, [], 201], [$fine['k2_message'], $fine['ignored_keys'], $fine['request']['status']]);
    }

    public function testARefusedStkPushWithCustomerForSubscriberIsExplained(): void
    {
        $k2 = self::k2mock();
        self::refusedThenPaid($k2, Repo::DOCS_TOKEN);
        self::assertRefusalExplained($k2);
        // k2mock's log line for the refusal ends with the same summary; the log comes in batches.
        $line = 'POST /api/v1/incoming_payments 400 — ' . $k2->explainRequest(1)['summary'];
        $deadline = microtime(true) + 5;
        while (!str_contains($k2->log(), $line) && microtime(true) < $deadline) {
            usleep(20000);
        }
        self::assertStringContainsString(self::START . " $line", $k2->log());
    }

    public function testAResourceIsExplainedBeforeAndAfterItsCallbackIsDue(): void
    {
        $k2 = self::k2mock();
        $id = self::refusedThenPaid($k2, Repo::DOCS_TOKEN);
        $pending = $k2->explainResource($id);
        self::assertSame(['kind' => 'incoming_payment', 'id' => $id, 'path' => "/api/v1/incoming_payments/$id",
            'stage' => 'Pending', 'created_at' => self::START], $pending['resource']);
        self::assertStringStartsWith("incoming_payment $id is Pending; Success is due at 2026-01-01T03:00:05.000+03:00",
            $pending['summary']);
        self::assertSame([['stage' => 'Pending', 'at' => self::START, 'reached' => true],
            ['stage' => 'Success', 'at' => '2026-01-01T03:00:05.000+03:00', 'reached' => false]], $pending['timeline']['steps']);
        self::assertSame(self::START, $pending['timeline']['now']);
        self::assertIsString($pending['timeline']['chosen_by']);
        self::assertSame(['not due yet', self::CALLBACK, 'sandbox_client_id'],
            [$pending['callback']['state'], $pending['callback']['url'], $pending['callback']['signed_with']['client']]);
        self::assertStringContainsString('manual clock', $pending['callback']['why']);

        $k2->advance(5);    // Success; the callback's first attempt fails: shop.example does not resolve
        $success = $k2->explainResource($id);
        self::assertSame(['Success', 'retrying'], [$success['resource']['stage'], $success['callback']['state']]);
        self::assertSame([[1, '2026-01-01T03:00:05.000+03:00', null, 'failed']], array_map(
            fn (array $a) => [$a['attempt'], $a['at'], $a['status'], $a['outcome']], $success['callback']['attempts']));
        self::assertSame($k2->callbacks()[0]->id, $success['callback']['delivery']);

        $fixture = $k2->explainResource(basename(Repo::DOCS_PAYMENT));
        self::assertSame(['payment', null, null, null],
            [$fixture['resource']['kind'], $fixture['resource']['stage'], $fixture['timeline'], $fixture['callback']]);
        self::assertStringContainsString('fixture', $fixture['summary']);
    }

    public function testAnUnknownIdThrowsNotFoundWithK2mocksMessage(): void
    {
        $k2 = self::k2mock();
        try {
            $k2->explainRequest(99);
            self::fail('explainRequest(99)');
        } catch (NotFoundException $e) {
            self::assertSame(404, $e->status);
            self::assertStringStartsWith('No request 99: ', $e->errorMessage);
            self::assertSame("GET /__admin/explain?request=99 answered 404: {$e->errorMessage}", $e->getMessage());
        }
        try {
            $k2->explainResource('no-such-payment');
            self::fail("explainResource('no-such-payment')");
        } catch (NotFoundException $e) {
            self::assertSame('No resource no-such-payment in this sandbox', $e->errorMessage);
        }
        try {
            $k2->admin('GET', '/explain');
            self::fail('explain without a query');
        } catch (ApiException $e) {
            self::assertSame(400, $e->status);
        }
    }

    public function testASandboxExplainsItsOwnRequestsAndResourcesOnly(): void
    {
        $k2 = self::k2mock();
        $sandbox = $k2->sandbox(['name' => 'explained', 'seed' => 3, 'clock' => 'manual']);
        try {
            $id = self::refusedThenPaid($sandbox, (string)$sandbox->token());
            self::assertRefusalExplained($sandbox);
            self::assertSame('Pending', $sandbox->explainResource($id)['resource']['stage']);
            foreach ([fn () => $k2->explainRequest(1), fn () => $k2->explainResource($id)] as $serversOwn) {
                try {
                    $serversOwn();
                    self::fail("the server's own sandbox has neither");
                } catch (NotFoundException $e) {
                    self::assertSame(404, $e->status);
                }
            }
        } finally {
            $sandbox->delete();
        }
        $this->expectException(NotFoundException::class);
        $sandbox->explainRequest(1);
    }
}
