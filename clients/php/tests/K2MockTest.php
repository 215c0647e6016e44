<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\ApiException;
use K2Mock\Attempt;
use K2Mock\CallbackReceiver;
use K2Mock\K2Mock;
use K2Mock\NotFoundException;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\RecordedRequest;
use K2Mock\ScenarioException;
use K2Mock\StartException;
use K2Mock\Tests\Support\Repo;
use K2Mock\UnreachableException;
use PHPUnit\Framework\TestCase;

/**
 * The admin API through the kit, on scenarios/happy-path.yaml (manual clock, seed 42, client
 * demo-client / demo-secret / demo-api-key, token demo-token), and how starting fails.
 */
final class K2MockTest extends TestCase
{
    use WithK2Mock;

    private const START = '2021-01-28T10:00:00.000+03:00';

    protected static function k2mockOptions(): array
    {
        return ['scenario' => Repo::path('scenarios/happy-path.yaml'), 'logFormat' => 'text'];
    }

    protected static function k2mockApiKey(): ?string
    {
        return 'demo-api-key';
    }

    private function stkPush(?string $phone = null): string
    {
        $answer = self::k2mock()->request('POST', '/api/v2/incoming_payments',
            Repo::stkPush(self::k2mockReceiver()->url(), $phone ?? '+254799999999'), ['token' => 'demo-token']);
        self::assertSame(201, $answer->status, $answer->body);
        return basename((string)$answer->location());
    }

    public function testTheOptionsReachServeAndTheScenarioIsNamed(): void
    {
        $k2 = self::k2mock();
        self::assertSame(Repo::path('scenarios/happy-path.yaml'), $k2->scenario());
        self::assertSame(['now' => self::START, 'mode' => 'manual', 'scale' => 1.0], $k2->clock());
        self::assertSame('ok', $k2->health()['status']);
        self::assertSame(['php' => $k2->baseUrl(), 'node' => $k2->baseUrl(), 'python' => $k2->baseUrl() . '/',
            'ruby' => $k2->baseUrl() . '/'], $k2->baseUrls());
        self::assertSame((int)substr($k2->baseUrl(), strrpos($k2->baseUrl(), ':') + 1), $k2->port());
        self::assertContains('incoming_payment', array_column($k2->kinds(), 'kind'));
        self::assertContains('customer_created', $k2->admin('GET', '/topics'), 'any admin endpoint');

        $other = K2Mock::start(['clock' => 'real', 'timeScale' => 10, 'seed' => 7, 'args' => '--log-format none --max-sandboxes 1']);
        try {
            self::assertSame('real', $other->clock()['mode']);
            self::assertSame(10.0, $other->clock()['scale']);
            self::assertNull($other->scenario(), 'the built-in default');
            $other->sandbox();
            try {
                $other->sandbox();
                self::fail('a second sandbox past --max-sandboxes 1');
            } catch (ApiException $e) {
                self::assertSame(429, $e->status);
                self::assertStringContainsString('--max-sandboxes', $e->errorMessage);
            }
        } finally {
            $other->stop();
        }
    }

    public function testUnknownOrContradictoryOptionsAreRefusedBeforeAnythingStarts(): void
    {
        foreach ([[['scenaro' => 'x.yaml'], 'K2Mock::start() has no option scenaro'],
                     [['clock' => 'sideways'], "clock must be 'manual' or 'real', not 'sideways'"],
                     [['scenario' => 'a.yaml', 'scenarioYaml' => 'version: 1'], 'scenario or scenarioYaml, not both']] as [$options, $said]) {
            try {
                K2Mock::start($options);
                self::fail('start(' . json_encode($options) . ')');
            } catch (\InvalidArgumentException $e) {
                self::assertStringContainsString($said, $e->getMessage());
            }
        }
        $this->expectExceptionMessage('fireEvent() has no option bad_signature (it takes: delay, duplicates, badSignature)');
        self::k2mock()->fireEvent('customer_created', [], ['bad_signature' => true]);
    }

    public function testDeliveriesRetriesAndRedeliveriesAreTypedValues(): void
    {
        $k2 = self::k2mock();
        $receiver = self::k2mockReceiver();
        $receiver->respondWith(500);
        $id = $this->stkPush();
        $k2->advance(10);
        [$delivery] = $k2->callbacks();
        self::assertSame('pending', $delivery->outcome, 'answered 500: a retry is due');
        self::assertEquals([new Attempt(1, '2021-01-28T10:00:10.000+03:00', '2021-01-28T10:00:10.000+03:00', false, 500, null,
            $delivery->attempts[0]->latencyMs, 'failed')], $delivery->attempts);
        self::assertSame('2021-01-28T10:00:10.000+03:00', $delivery->createdAt);
        self::assertMatchesRegularExpression('/^[0-9a-f]{64}$/', $delivery->signature);

        $again = $k2->redeliver($delivery->id);
        self::assertSame('delivered', $again->outcome);
        self::assertSame([500, 200], array_map(fn (Attempt $a) => $a->status, $again->attempts));
        self::assertTrue($again->attempts[1]->redelivery);
        self::assertSame([500, 200], array_map(fn ($c) => $c->status, $receiver->received()), 'what the receiver answered');
        self::assertSame([true, true], array_map(fn ($c) => $c->verified, $receiver->received()));
        $ran = $k2->advance(60);
        self::assertSame([], $ran['ran'], 'the retry was skipped: the redelivery succeeded');

        $second = $this->stkPush();
        $k2->advance(10);
        self::assertSame([$second], array_map(fn ($d) => $d->resourceId, $k2->callbacks(['resourceId' => $second])));
        self::assertSame([$id], array_map(fn ($d) => $d->resourceId, $k2->callbacks(['resourceId' => $id])));
        self::assertSame([$second], array_map(fn ($d) => $d->resourceId, $k2->callbacks(['limit' => 1])));
        self::assertEquals(new RecordedRequest(self::START, 'POST', '/api/v2/incoming_payments', 201, 1), $k2->requests()[0]);
        self::assertEquals([new RecordedRequest('2021-01-28T10:01:10.000+03:00', 'POST', '/api/v2/incoming_payments', 201, 2)],
            $k2->requests(1));
    }

    public function testFailedDeliveriesAndEventOptions(): void
    {
        $k2 = self::k2mock();
        $receiver = self::k2mockReceiver();
        self::assertSame(201, $k2->request('POST', '/api/v2/webhook_subscriptions', ['event_type' => 'customer_created',
            'url' => $receiver->url('/hooks'), 'scope' => 'company'], ['token' => 'demo-token'])->status);
        $fired = $k2->fireEvent('customer_created', ['first_name' => 'Ada'], ['duplicates' => 1, 'delay' => '30s']);
        self::assertSame([], $fired['ran'], 'delayed 30 s');
        self::assertSame([], $receiver->received());
        $k2->advance(30);
        $bodies = array_map(fn ($c) => $c->json(), $receiver->received('/hooks'));
        self::assertCount(2, $bodies, 'the event and one duplicate');
        self::assertSame($bodies[0], $bodies[1]);
        self::assertSame('Ada', $bodies[0]['event']['resource']['first_name']);

        // Every attempt answered 503: the default policy's five attempts, 10, 30, 60 and 300 s apart.
        $receiver->respondWith(503, 503, 503, 503, 503);
        $this->stkPush();
        $k2->advance(10 + 10 + 30 + 60 + 300);
        $delivery = $k2->callbacks()[2];
        self::assertSame('failed', $delivery->outcome);
        self::assertSame([503, 503, 503, 503, 503], array_map(fn (Attempt $a) => $a->status, $delivery->attempts));
        self::assertSame(['2021-01-28T10:00:40.000+03:00', '2021-01-28T10:00:50.000+03:00', '2021-01-28T10:01:20.000+03:00',
            '2021-01-28T10:02:20.000+03:00', '2021-01-28T10:07:20.000+03:00'], array_map(fn (Attempt $a) => $a->due, $delivery->attempts));
    }

    public function testTheAdminApisErrorsAreTypedAndCarryK2sMessage(): void
    {
        $k2 = self::k2mock();
        try {
            $k2->advance(-1);
            self::fail('advance(-1)');
        } catch (ApiException $e) {
            self::assertSame([400, 'POST', '/__admin/clock/advance'], [$e->status, $e->method, $e->path]);
            self::assertStringStartsWith('Body must be {"seconds": N}', $e->errorMessage);
            self::assertSame("POST /__admin/clock/advance answered 400: {$e->errorMessage}", $e->getMessage());
            self::assertSame(400, $e->getCode());
        }
        try {
            $k2->redeliver(99);
            self::fail('redeliver(99)');
        } catch (NotFoundException $e) {
            self::assertSame([404, 'No delivery 99'], [$e->status, $e->errorMessage]);
        }
        try {
            $k2->fireEvent('no_such_topic');
            self::fail('an unknown topic');
        } catch (ApiException $e) {
            self::assertSame(400, $e->status);
            self::assertStringStartsWith('topic must be one of b2b_transaction_received, ', $e->errorMessage);
        }
        try {
            $k2->accessToken('demo-client', 'wrong');
            self::fail('wrong client secret');
        } catch (ApiException $e) {
            self::assertSame(401, $e->status);
            self::assertStringContainsString('invalid_client', $e->errorMessage);
        }
        $raw = $k2->request('GET', '/api/v1/payments/c6fda139-2480-4a93-95ed-f72c66b92364');
        self::assertSame([401, '{"error_code":401,"error_message":"The access token is missing"}'], [$raw->status, $raw->body]);
        self::assertStringStartsWith('application/json', (string)$raw->header('Content-Type'), 'headers by any case');
    }

    public function testRequestSendsAnyBodyAndReadsAnyAnswer(): void
    {
        $k2 = self::k2mock();
        $form = $k2->request('POST', '/oauth/token', 'grant_type=client_credentials&client_id=demo-client&client_secret=demo-secret',
            ['headers' => ['content-type' => 'application/x-www-form-urlencoded']]);
        self::assertSame(200, $form->status, $form->body);
        $receiver = self::k2mockReceiver();
        $k2->request('POST', $receiver->url('/echo'), 'a=1', ['headers' => ['content-type' => 'text/plain', 'X-Extra' => 'yes']]);
        [$echo] = $receiver->received('/echo');
        self::assertSame(['text/plain', 'yes', '3'], [$echo->header('Content-Type'), $echo->header('x-extra'), $echo->header('Content-Length')]);
        self::assertSame(1, count(array_filter(array_keys($echo->headers), fn ($h) => strcasecmp($h, 'Content-Type') === 0)),
            'one Content-Type: the caller\'s');
        self::assertSame(['access_token', 'token_type', 'expires_in', 'created_at'], array_keys($form->json()));
        $id = $this->stkPush();
        $location = $k2->baseUrl() . "/api/v2/incoming_payments/$id";
        $status = $k2->request('GET', $location, null, ['token' => $form->json()['access_token']]);
        self::assertSame('Pending', $status->json()['data']['attributes']['status'], 'an absolute URL (a location) works too');
        self::assertSame($status->json(), $k2->resources()[1]->body);
        self::assertSame([['stage' => 'Pending', 'at' => self::START, 'reached' => true],
            ['stage' => 'Success', 'at' => '2021-01-28T10:00:10.000+03:00', 'reached' => false]], $k2->resources()[1]->timeline);
        // The log is written in batches: wait for the line rather than assume it.
        $deadline = microtime(true) + 5;
        while (!str_contains($k2->log(), "GET /api/v2/incoming_payments/$id 200") && microtime(true) < $deadline) {
            usleep(20000);
        }
        self::assertStringContainsString(self::START . " GET /api/v2/incoming_payments/$id 200", $k2->log());
    }

    public function testAFailedStartSaysWhyAndLeavesNothingRunning(): void
    {
        try {
            K2Mock::start(['args' => ['--bogus']]);
            self::fail('start() with an unknown serve option');
        } catch (StartException $e) {
            self::assertNotInstanceOf(ScenarioException::class, $e);
            self::assertSame(64, $e->exitCode);
            self::assertStringContainsString("exited with status 64 before it listened", $e->getMessage());
            self::assertStringContainsString("Unknown option '--bogus'", $e->getMessage());
        }

        // A "binary" that never listens: killed after startTimeout, and gone.
        $silent = Repo::tempFile("#!/bin/sh\necho \$\$ > \"\$0.pid\"\nexec sleep 30\n", '.sh');
        chmod($silent, 0755);
        $started = microtime(true);
        try {
            K2Mock::start(['bin' => $silent, 'startTimeout' => 0.3]);
            self::fail('start() of a binary that never listens');
        } catch (StartException $e) {
            self::assertNull($e->exitCode);
            self::assertStringStartsWith('k2mock did not listen within 0.3 s', $e->getMessage());
            self::assertLessThan(5, microtime(true) - $started);
        }
        $pid = (int)file_get_contents("$silent.pid");
        @unlink("$silent.pid");
        self::assertTrue(Repo::gone($pid), 'the process that did not listen was killed');

        // One that says something else and exits 0.
        $chatty = Repo::tempFile("#!/bin/sh\necho 'hello'\necho 'no such thing' >&2\n", '.sh');
        chmod($chatty, 0755);
        try {
            K2Mock::start(['bin' => $chatty]);
            self::fail('start() of a binary that does not print the listening line');
        } catch (StartException $e) {
            self::assertSame(0, $e->exitCode);
            self::assertSame('no such thing', $e->log);
        }
        // And a binary that is not executable.
        $this->expectExceptionMessage("k2mock not found at $chatty.txt (from the 'bin' option)");
        K2Mock::start(['bin' => "$chatty.txt"]);
    }

    public function testStoppingLeavesNoProcessAndAnyPathStops(): void
    {
        $k2 = K2Mock::start(['clock' => 'manual']);
        $pid = (int)$k2->pid();
        $receiver = CallbackReceiver::start();
        $receiverPid = $receiver->pid();
        self::assertSame(201, $k2->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url()),
            ['token' => Repo::DOCS_TOKEN])->status);
        unset($k2, $receiver);     // the destructors stop both
        self::assertSame([], Repo::waitGone([$pid, $receiverPid], 0.0));

        $receiver = CallbackReceiver::start(['statuses' => [202]]);
        self::assertNull($receiver->apiKey());
        self::assertSame(202, self::k2mock()->request('POST', $receiver->url('/x?y=1'), 'raw')->status);
        [$one] = $receiver->received('/x?y=1');
        self::assertNull($one->verified, 'no api key: not checked');
        self::assertNull($one->signature);
        self::assertSame('raw', $one->body);
        $receiver->clear();
        self::assertSame([], $receiver->received());
        $receiver->stop();
        $receiver->stop();
        self::assertFalse($receiver->isRunning());
        $this->expectExceptionMessage('the receiver was stopped');
        $receiver->received();
    }

    public function testAStoppedServerIsUnreachableAndSaysWhere(): void
    {
        $k2 = K2Mock::start();
        $url = $k2->baseUrl();
        $k2->stop();
        try {
            $k2->resources();
            self::fail('resources() of a stopped server');
        } catch (UnreachableException $e) {
            self::assertSame($url, $e->url);
            self::assertStringStartsWith("k2mock at $url does not answer (GET /__admin/resources): ", $e->getMessage());
        }
    }
}
