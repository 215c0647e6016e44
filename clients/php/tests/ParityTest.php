<?php

declare(strict_types=1);

namespace K2Mock\Tests;

use K2Mock\AdminTokenException;
use K2Mock\ApiException;
use K2Mock\BinaryNotFoundException;
use K2Mock\CallbackReceiver;
use K2Mock\ConflictException;
use K2Mock\Delivery;
use K2Mock\ExpectationsFailedException;
use K2Mock\K2Mock;
use K2Mock\K2MockException;
use K2Mock\PHPUnit\WithK2Mock;
use K2Mock\ReceivedCallback;
use K2Mock\ResourceSnapshot;
use K2Mock\Sandbox;
use K2Mock\ScenarioException;
use K2Mock\StartException;
use K2Mock\Tests\Support\Repo;
use K2Mock\Tests\Support\Sdk;
use K2Mock\TimeoutException;
use K2Mock\TranscriptMismatchException;
use K2Mock\UnreachableException;
use PHPUnit\Framework\AssertionFailedError;
use PHPUnit\Framework\TestCase;

/**
 * clients/parity.json: the cases every k2mock kit must pass, one test per case id. A case id
 * without a `case<CamelCaseId>` method here fails; so does a method for an id the file lacks.
 * One k2mock (manual clock, the built-in default scenario) serves the cases that need no other,
 * reset before each.
 */
final class ParityTest extends TestCase
{
    use WithK2Mock;

    /** @return array<string, array{string}> */
    public function parityCases(): array
    {
        $parity = json_decode((string)file_get_contents(self::parityFile()), true, 512, JSON_THROW_ON_ERROR);
        $cases = [];
        foreach ($parity['cases'] as $case) {
            $cases[$case['id']] = [$case['id']];
        }
        return $cases;
    }

    /** clients/parity.json; $K2MOCK_PARITY_JSON names another (SuiteTest checks a case without implementation fails). */
    private static function parityFile(): string
    {
        return getenv('K2MOCK_PARITY_JSON') ?: Repo::path('clients/parity.json');
    }

    private static function method(string $id): string
    {
        return 'case' . str_replace('-', '', ucwords($id, '-'));
    }

    /** @dataProvider parityCases */
    public function testParityCase(string $id): void
    {
        $method = self::method($id);
        if (!method_exists($this, $method)) {
            self::fail("parity case '$id' (" . self::parityFile() . ") has no implementation: add ParityTest::$method()");
        }
        $this->$method();
    }

    public function testEveryImplementedCaseIsInParityJson(): void
    {
        $ids = array_map([self::class, 'method'], array_keys($this->parityCases()));
        $implemented = array_filter(get_class_methods($this), fn (string $m) => preg_match('/^case[A-Z]/', $m) === 1);
        self::assertSame([], array_values(array_diff($implemented, $ids)), 'methods for case ids parity.json does not have');
        self::assertCount(count($ids), $implemented);
    }

    private function caseStartStop(): void
    {
        $k2 = K2Mock::start(['clock' => 'manual']);
        $pid = $k2->pid();
        self::assertIsInt($pid);
        self::assertMatchesRegularExpression('#^http://127\.0\.0\.1:\d+$#', $k2->baseUrl(), 'no trailing slash, no path');
        self::assertFalse(Repo::gone($pid));
        $answer = $k2->request('GET', Repo::DOCS_PAYMENT, null, ['token' => Repo::DOCS_TOKEN]);
        self::assertSame(200, $answer->status);
        self::assertSame('Processed', $answer->json()['data']['attributes']['status']);
        self::assertSame($k2->baseUrl() . Repo::DOCS_PAYMENT, $answer->json()['data']['attributes']['_links']['self']);
        self::assertSame('manual', $k2->clock()['mode']);
        self::assertTrue($k2->isRunning());

        self::assertSame(0, $k2->stop(), 'a clean stop: SIGTERM, exit 0');
        self::assertTrue(Repo::gone($pid), "k2mock pid $pid is gone when stop() returns");
        self::assertFalse($k2->isRunning());
        self::assertSame(0, $k2->stop(), 'stop() twice is harmless');
        $this->expectException(UnreachableException::class);
        $k2->clock();
    }

    private function caseMissingBinary(): void
    {
        $saved = ['K2MOCK_BIN' => getenv('K2MOCK_BIN'), 'PATH' => getenv('PATH')];
        try {
            putenv('K2MOCK_BIN=/nonexistent/k2mock');
            putenv('PATH=/nonexistent');
            try {
                K2Mock::start(['clock' => 'manual']);
                self::fail('start() without a binary');
            } catch (BinaryNotFoundException $e) {
                self::assertInstanceOf(K2MockException::class, $e);
                self::assertStringContainsString('k2mock not found at /nonexistent/k2mock (from K2MOCK_BIN)', $e->getMessage());
                self::assertStringContainsString('PATH', $e->getMessage());
                self::assertStringContainsString('`make dist`', $e->getMessage());
                self::assertStringContainsString('dist/k2mock-' . K2Mock::VERSION . '-linux-' . php_uname('m') . '.tar.gz', $e->getMessage());
            }
            putenv('K2MOCK_BIN');
            try {
                K2Mock::findBinary();
                self::fail('findBinary() without K2MOCK_BIN and with nothing on PATH');
            } catch (BinaryNotFoundException $e) {
                self::assertStringContainsString('K2MOCK_BIN is not set and there is no k2mock on PATH (/nonexistent)', $e->getMessage());
                self::assertStringContainsString('dist/k2mock-' . K2Mock::VERSION . '-linux-', $e->getMessage());
            }
        } finally {
            foreach ($saved as $name => $value) {
                putenv($value === false ? $name : "$name=$value");
            }
        }
    }

    private function caseSdkToken(): void
    {
        Sdk::load();
        $K2 = new \Kopokopo\SDK\K2(['clientId' => 'sandbox_client_id', 'clientSecret' => 'sandbox_client_secret',
            'apiKey' => 'sandbox_api_key', 'baseUrl' => self::k2mock()->baseUrl()]);
        $result = $K2->TokenService()->getToken();
        self::assertSame('success', $result['status'], json_encode($result));
        self::assertMatchesRegularExpression('/^[A-Za-z0-9_-]{50}$/', $result['data']['accessToken']);
        self::assertSame(3600, $result['data']['expiresIn']);
        $answer = self::k2mock()->request('GET', Repo::DOCS_PAYMENT, null, ['token' => $result['data']['accessToken']]);
        self::assertSame(200, $answer->status, 'the SDK token works on the API');
        self::assertSame([['POST', '/oauth/token', 200], ['GET', Repo::DOCS_PAYMENT, 200]],
            array_map(fn ($r) => [$r->method, $r->path, $r->status], self::k2mock()->requests()));
    }

    private function caseCreateAdvanceCallback(): void
    {
        $k2 = self::k2mock();
        $receiver = self::k2mockReceiver();
        $token = $k2->accessToken('sandbox_client_id', 'sandbox_client_secret');
        $created = $k2->request('POST', '/api/v2/incoming_payments', Repo::stkPush($receiver->url()), ['token' => $token]);
        self::assertSame(201, $created->status, $created->body);
        $id = basename((string)$created->location());
        self::assertSame($k2->baseUrl() . "/api/v2/incoming_payments/$id", $created->location());
        self::assertSame([], $k2->callbacks());
        self::assertSame('Pending', $k2->resources()[2]->stage);

        $ran = $k2->advance(10);
        self::assertSame(['Success', 'delivered'], array_map(fn ($e) => $e['stage'] ?? $e['outcome'], $ran['ran']));
        $deliveries = $k2->callbacks();
        self::assertCount(1, $deliveries);
        [$delivery] = $deliveries;
        self::assertInstanceOf(Delivery::class, $delivery);
        self::assertSame(['callback', 'incoming_payment', $id, 'delivered', $receiver->url()],
            [$delivery->kind, $delivery->resource, $delivery->resourceId, $delivery->outcome, $delivery->url]);
        self::assertCount(1, $delivery->attempts);
        self::assertSame([1, 200, 'delivered', false], [$delivery->attempts[0]->attempt, $delivery->attempts[0]->status,
            $delivery->attempts[0]->outcome, $delivery->attempts[0]->redelivery]);
        self::assertSame('Success', $delivery->json()['data']['attributes']['status']);

        $received = $receiver->received();
        self::assertCount(1, $received);
        self::assertSame($delivery->body, $received[0]->body, 'the receiver got exactly the journal body');
        self::assertSame($delivery->signature, $received[0]->signature);
        self::assertTrue($received[0]->verified);
        self::assertSame(['POST', '/k2/result', 200], [$received[0]->method, $received[0]->path, $received[0]->status]);
        self::assertSame('Success', $k2->resources()[2]->stage);
        self::assertSame($k2->resources()[2]->body, $received[0]->json(), 'the callback is what the GET answers now');
    }

    private function caseReceiverVerifies(): void
    {
        $receiver = CallbackReceiver::start(['apiKey' => 'sandbox_api_key']);
        try {
            $body = '{"data":{"id":"1","type":"incoming_payment","attributes":{"status":"Success"}}}';
            $post = function (string $path, string $body, ?string $signature) use ($receiver): void {
                $headers = $signature === null ? [] : ['X-KopoKopo-Signature' => $signature];
                $answer = self::k2mock()->request('POST', $receiver->url($path), $body, ['headers' => $headers]);
                self::assertSame(200, $answer->status);
            };
            $post('/right', $body, hash_hmac('sha256', $body, 'sandbox_api_key'));
            $post('/byte-changed', str_replace('Success', 'Sucress', $body), hash_hmac('sha256', $body, 'sandbox_api_key'));
            $post('/other-key', $body, hash_hmac('sha256', $body, 'another_api_key'));
            $post('/uppercase', $body, strtoupper(hash_hmac('sha256', $body, 'sandbox_api_key')));
            $post('/unsigned', $body, null);
            self::assertSame(['/right' => true, '/byte-changed' => false, '/other-key' => false, '/uppercase' => false,
                '/unsigned' => false], array_column(array_map(fn (ReceivedCallback $c) => [$c->path, $c->verified],
                $receiver->received()), 1, 0));
            self::assertSame(CallbackReceiver::sign($body, 'sandbox_api_key'), $receiver->received('/right')[0]->signature);

            // Deliveries from k2mock: a webhook signed right and one signed with a wrong key.
            $k2 = self::k2mock();
            $token = $k2->accessToken('sandbox_client_id', 'sandbox_client_secret');
            self::assertSame(201, $k2->request('POST', '/api/v2/webhook_subscriptions', ['event_type' => 'customer_created',
                'url' => $receiver->url('/hooks'), 'scope' => 'company'], ['token' => $token])->status);
            $k2->fireEvent('customer_created');
            $k2->fireEvent('customer_created', [], ['badSignature' => true]);
            self::assertSame([true, false], array_map(fn (ReceivedCallback $c) => $c->verified, $receiver->received('/hooks')));
            try {
                $receiver->assertAllVerified();
                self::fail('assertAllVerified() with refused requests');
            } catch (K2MockException $e) {
                self::assertStringStartsWith('5 requests with a wrong signature: POST /byte-changed', $e->getMessage());
            }

            // Waiting: the 7 that came are there at once; an 8th that never comes times out.
            self::assertCount(7, $receiver->waitFor(7, 0.5));
            self::assertCount(2, $receiver->waitFor(2, 0.5, '/hooks'));
            $started = microtime(true);
            try {
                $receiver->waitFor(8, 0.3);
                self::fail('waitFor(8) when 7 came');
            } catch (TimeoutException $e) {
                self::assertSame('7 of 8 requests arrived at ' . $receiver->url('') . ' within 0.3 s', $e->getMessage());
                self::assertGreaterThanOrEqual(0.3, microtime(true) - $started);
            }
        } finally {
            $receiver->stop();
        }
    }

    private function caseReset(): void
    {
        $k2 = self::k2mock();
        $fixtures = $k2->resources();
        $start = $k2->clock()['now'];
        self::assertSame(['pay_recipient', 'payment'], array_map(fn (ResourceSnapshot $r) => $r->kind, $fixtures));
        self::assertTrue($fixtures[0]->isFixture() && $fixtures[1]->isFixture());
        $token = $k2->accessToken('sandbox_client_id', 'sandbox_client_secret');
        self::assertSame(201, $k2->request('POST', '/api/v1/payments', Repo::payment(self::k2mockReceiver()->url()),
            ['token' => $token])->status);
        $k2->advance(10);
        self::assertCount(3, $k2->resources());
        self::assertCount(1, $k2->callbacks());
        self::assertNotSame($start, $k2->clock()['now']);

        $k2->reset();
        self::assertEquals($fixtures, $k2->resources(), 'the fixtures only');
        self::assertSame([], $k2->callbacks());
        self::assertSame([], $k2->requests());
        self::assertSame($start, $k2->clock()['now'], 'the clock is back at the start');
        self::assertSame(401, $k2->request('GET', Repo::DOCS_PAYMENT, null, ['token' => $token])->status,
            'issued tokens are gone');
    }

    private function caseFireEvent(): void
    {
        $k2 = self::k2mock();
        $receiver = self::k2mockReceiver();
        $token = $k2->accessToken('sandbox_client_id', 'sandbox_client_secret');
        self::assertSame(201, $k2->request('POST', '/api/v2/webhook_subscriptions', ['event_type' => 'buygoods_transaction_received',
            'url' => $receiver->url('/hooks'), 'scope' => 'company'], ['token' => $token])->status);

        $fired = $k2->fireEvent('buygoods_transaction_received', ['amount' => '250.0']);
        self::assertSame('buygoods_transaction_received', $fired['event']);
        self::assertSame([1], $fired['deliveries']);
        [$delivery] = $k2->callbacks();
        self::assertSame(['webhook', 'buygoods_transaction_received', $fired['id'], 'delivered'],
            [$delivery->kind, $delivery->topic, $delivery->eventId, $delivery->outcome]);
        $event = $delivery->json();
        self::assertSame('buygoods_transaction_received', $event['topic']);
        self::assertSame('250.0', $event['event']['resource']['amount']);
        [$received] = $receiver->received();
        self::assertSame('/hooks', $received->path);
        self::assertSame($delivery->body, $received->body);
        self::assertTrue($received->verified, 'signed with sandbox_api_key');
        self::assertSame(CallbackReceiver::sign($received->body, 'sandbox_api_key'), $received->signature);
    }

    private function caseExpectations(): void
    {
        $k2 = K2Mock::start(['scenarioYaml' => <<<'YAML'
            version: 1
            clock: { mode: manual, start: "2021-01-28T10:00:00+03:00" }
            credentials:
              - { client_id: shop, client_secret: shop-secret, api_key: shop-key }
            tokens:
              - { value: shop-token, client_id: shop }
            expect:
              - { requests: { method: POST, path: /api/v2/incoming_payments }, count: 1 }
            YAML]);
        try {
            $before = $k2->expectations();
            self::assertFalse($before->passed);
            self::assertCount(1, $before->results);
            self::assertSame([1, 0, false], [$before->results[0]->expected, $before->results[0]->actual, $before->results[0]->passed]);
            self::assertStringContainsString('requests POST /api/v2/incoming_payments: expected 1, got 0', $before->results[0]->description);
            self::assertSame($before->results, $before->failures());
            try {
                $k2->assertExpectations();
                self::fail('assertExpectations() before the request');
            } catch (ExpectationsFailedException $e) {
                self::assertStringContainsString("k2mock expectations failed:\n  requests POST /api/v2/incoming_payments: expected 1, got 0", $e->getMessage());
                self::assertSame($before->passed, $e->expectations->passed);
            }

            self::assertSame(201, $k2->request('POST', '/api/v2/incoming_payments', Repo::stkPush('http://127.0.0.1:9/never'),
                ['token' => 'shop-token'])->status);
            $after = $k2->expectations();
            self::assertTrue($after->passed);
            self::assertSame([1, 1, true], [$after->results[0]->expected, $after->results[0]->actual, $after->results[0]->passed]);
            self::assertSame([], $after->failures());
            $k2->assertExpectations();
            self::assertK2MockExpectations($k2);
        } finally {
            $k2->stop();
        }
    }

    private function caseAdminTokenRefused(): void
    {
        $k2 = K2Mock::start(['clock' => 'manual', 'adminToken' => 's3cret']);
        try {
            self::assertSame('manual', $k2->clock()['mode'], 'the kit that started it sends the token');
            self::assertSame(401, $k2->request('GET', '/__admin/clock')->status);
            foreach ([[null, 'none was given'], ['wrong', 'wrong token']] as [$token, $said]) {
                try {
                    K2Mock::connect($k2->baseUrl(), ['adminToken' => $token, 'timeout' => 0]);
                    self::fail('connect() with a refused admin token');
                } catch (AdminTokenException $e) {
                    self::assertInstanceOf(ApiException::class, $e);
                    self::assertInstanceOf(K2MockException::class, $e);
                    self::assertSame(401, $e->status);
                    self::assertSame('GET', $e->method);
                    self::assertSame('/__admin/health', $e->path);
                    self::assertStringStartsWith("the admin API refused the admin token ($said)", $e->getMessage());
                }
            }
            $connected = K2Mock::connect($k2->baseUrl(), ['adminToken' => 's3cret', 'timeout' => 0]);
            self::assertSame([], $connected->callbacks());
            self::assertSame('manual', $connected->advance(5)['mode']);
            $sandbox = $connected->sandbox(['name' => 'guarded', 'clock' => 'manual']);
            self::assertSame('manual', $sandbox->clock()['mode'], "a sandbox's calls carry the server's admin token");
            self::assertSame('guarded', $sandbox->delete()['id']);
            try {
                K2Mock::connect($k2->baseUrl(), ['adminToken' => 'wrong', 'timeout' => 0]);
            } catch (AdminTokenException) {
            }
            self::assertSame(401, $k2->request('GET', '/__admin/sandboxes')->status);
        } finally {
            $k2->stop();
        }
    }

    private function caseUnreachable(): void
    {
        $url = 'http://127.0.0.1:' . Repo::closedPort();
        try {
            K2Mock::connect($url, ['timeout' => 0]);
            self::fail("connect() to $url, where nothing listens");
        } catch (UnreachableException $e) {
            self::assertInstanceOf(K2MockException::class, $e);
            self::assertSame($url, $e->url);
            self::assertStringStartsWith("k2mock at $url does not answer (GET /__admin/health): ", $e->getMessage());
            self::assertStringEndsWith('(waited 0 s)', $e->getMessage());
        }
        $started = microtime(true);
        try {
            K2Mock::connect("$url/", ['timeout' => 0.3]);
            self::fail("connect() to $url/");
        } catch (UnreachableException $e) {
            self::assertStringContainsString("k2mock at $url does not answer", $e->getMessage());
            self::assertGreaterThanOrEqual(0.3, microtime(true) - $started, 'it waited for a server still starting');
        }
        foreach (['127.0.0.1:8080', 'ftp://127.0.0.1', 'http://127.0.0.1:8080/__admin', 'http://127.0.0.1:8080/?x=1'] as $wrong) {
            try {
                K2Mock::connect($wrong, ['timeout' => 0]);
                self::fail("connect('$wrong')");
            } catch (UnreachableException $e) {
                self::assertSame("not a k2mock URL (http://HOST:PORT): '$wrong'", $e->getMessage());
            }
        }
    }

    private function caseScenarioError(): void
    {
        $bad = Repo::tempFile("version: 1\ntimelines:\n  payment: [{ after: 0s, stage: Sent }]\n");
        try {
            K2Mock::start(['scenario' => $bad]);
            self::fail('start() with an invalid scenario');
        } catch (ScenarioException $e) {
            self::assertInstanceOf(StartException::class, $e);
            self::assertInstanceOf(K2MockException::class, $e);
            self::assertSame(1, $e->exitCode);
            self::assertCount(1, $e->problems);
            self::assertMatchesRegularExpression('#^' . preg_quote($bad, '#') . ":3:\d+: unknown stage 'Sent' for payment#", $e->problems[0]);
            self::assertSame("k2mock refused the scenario (exit status 1):\n" . $e->problems[0], $e->getMessage());
        }
        try {
            K2Mock::start(['scenarioYaml' => "version: 1\nclock: { mode: sideways }\n"]);
            self::fail('start() with an invalid scenarioYaml');
        } catch (ScenarioException $e) {
            self::assertMatchesRegularExpression('#k2mock-scenario-\w+\.yaml:2:\d+: #', $e->getMessage());
        }
        try {
            K2Mock::start(['scenario' => '/nonexistent/scenario.yaml']);
            self::fail('start() with a missing scenario file');
        } catch (ScenarioException $e) {
            self::assertSame(['/nonexistent/scenario.yaml:1:1: cannot read the file'], $e->problems);
        }
    }

    private function caseConnectSandboxIsolation(): void
    {
        // A k2mock started by someone else (not through K2Mock::start), as a service container is.
        [$other, $url] = Repo::serveElsewhere(['--log-format', 'none']);
        try {
            $server = K2Mock::connect($url);
            self::assertTrue($server->isConnected());
            self::assertNull($server->pid());
            self::assertSame('scenarios/default.yaml', $server->scenario(), 'as health names the built-in scenario');
            self::assertSame($url, $server->baseUrl());

            $a = $server->sandbox(['name' => 'a', 'clock' => 'manual']);
            $b = $server->sandbox(['name' => 'b', 'clock' => 'manual']);
            self::assertSame([['client_id' => 'sandbox_client_id-a', 'client_secret' => 'sandbox_client_secret-a',
                'api_key' => 'sandbox_api_key-a']], $a->credentials());
            self::assertSame('sandbox_client_id-b', $b->credentials()[0]['client_id']);
            self::assertSame(['a', 'b'], [$a->id(), $b->id()]);
            self::assertSame($url, $a->baseUrl());

            $tokenA = $server->accessToken($a->clientId(), $a->clientSecret());
            $tokenB = $b->accessToken();
            $created = $server->request('POST', '/api/v1/payments', Repo::payment('http://127.0.0.1:9/never'), ['token' => $tokenA]);
            self::assertSame(201, $created->status, $created->body);
            $path = substr((string)$created->location(), strlen($url));
            $id = basename($path);
            self::assertContains($id, array_map(fn (ResourceSnapshot $r) => $r->id, $a->resources()));
            self::assertNotContains($id, array_map(fn (ResourceSnapshot $r) => $r->id, $b->resources()));
            self::assertNotContains($id, array_map(fn (ResourceSnapshot $r) => $r->id, $server->resources()));
            self::assertSame(200, $server->request('GET', $path, null, ['token' => $tokenA])->status);
            self::assertSame(404, $server->request('GET', $path, null, ['token' => $tokenB])->status, "b cannot read a's payment");

            self::assertSame(['id' => 'a', 'deleted' => true, 'dropped_deliveries' => 0], $a->delete());
            self::assertSame(401, $server->request('GET', $path, null, ['token' => $tokenA])->status, "a's token after the delete");
            self::assertSame(401, $server->request('GET', Repo::DOCS_PAYMENT, null, ['token' => $tokenA])->status);
            self::assertSame(200, $server->request('GET', Repo::DOCS_PAYMENT, null, ['token' => $tokenB])->status, 'b lives on');
            self::assertSame(['b'], array_map(fn ($s) => $s->id(), $server->sandboxes()));
            $b->delete();

            self::assertNull($server->stop(), 'stop() leaves a connected server running');
            self::assertTrue($other->running());
            self::assertTrue($server->isRunning());
        } finally {
            self::assertSame(0, $other->stop());
        }
    }

    private function caseTranscriptSnapshot(): void
    {
        $snapshot = Repo::tempDir() . '/snapshots/paid.yaml';     // its directory does not exist yet
        $ports = [];
        // One run: a new sandbox of the same name (manual clock, fixed seed), a new receiver; token,
        // an incoming payment of $amount with a callback to the receiver, advance 10 s; then $check.
        $run = function (int $amount, callable $check, string $clock = 'manual') use (&$ports): void {
            $sandbox = self::k2mock()->sandbox(['name' => 'parity-transcript', 'clock' => $clock, 'seed' => 7,
                'scenario' => Repo::path('scenarios/happy-path.yaml')]);
            $receiver = CallbackReceiver::start(['apiKey' => $sandbox->apiKey()]);
            try {
                $ports[] = $receiver->port();
                $created = $sandbox->request('POST', '/api/v2/incoming_payments',
                    Repo::stkPush($receiver->url(), '+254799999999', $amount), ['token' => $sandbox->accessToken()]);
                self::assertSame(201, $created->status, $created->body);
                if ($clock === 'manual') {
                    $sandbox->advance(10);
                    self::assertSame([true], array_map(fn (ReceivedCallback $c) => $c->verified, $receiver->received()));
                }
                $check($sandbox);
            } finally {
                $receiver->stop();
                $sandbox->delete();
            }
        };

        // Missing: written (with its directory).
        $run(1500, function (Sandbox $sandbox) use ($snapshot): void {
            self::assertFileDoesNotExist($snapshot);
            $sandbox->assertTranscript($snapshot);
            self::assertSame($sandbox->transcript(), file_get_contents($snapshot));
        });
        $written = (string)file_get_contents($snapshot);
        self::assertStringStartsWith('# k2mock transcript', $written);
        self::assertStringContainsString("\nsandbox: \"parity-transcript\"\nscenario: \"happy-path.yaml\"\nseed: 7\nclock: manual\n", $written);
        self::assertStringContainsString('"callback_url": "http://127.0.0.1:{port-1}/k2/result"', $written);
        self::assertStringContainsString("\nkind: callback\n", $written);
        self::assertStringNotContainsString(':' . $ports[0] . '/', $written, 'ports are placeholders');

        // A second run, its receiver on another port: passes, the file untouched.
        $run(1500, function (Sandbox $sandbox) use ($snapshot): void {
            $sandbox->assertTranscript($snapshot);
            self::assertK2MockTranscript($snapshot, $sandbox);
        });
        self::assertNotSame($ports[0], $ports[1], 'the receiver listened on another port');
        self::assertSame($written, file_get_contents($snapshot));

        // Another amount: fails, listing k2mock's differences, naming both amounts; the file untouched.
        $run(2500, function (Sandbox $sandbox) use ($snapshot): void {
            try {
                $sandbox->assertTranscript($snapshot);
                self::fail('assertTranscript() after paying another amount');
            } catch (TranscriptMismatchException $e) {
                self::assertSame($snapshot, $e->path);
                self::assertNull($e->unreadable);
                self::assertContains('entry 2, POST /api/v2/incoming_payments: request_body.amount.value: 1500 → 2500',
                    $e->differences);
                self::assertContains('entry 4, callback 1, attempt 1 to http://127.0.0.1:{port-1}/k2/result: '
                    . 'request_body.data.attributes.event.resource.amount: "1500.0" → "2500.0"', $e->differences);
                self::assertSame("the transcript differs from $snapshot:\n  " . implode("\n  ", $e->differences)
                    . "\nAccept this run's transcript with K2MOCK_UPDATE_SNAPSHOTS=1.", $e->getMessage());
                $failure = $e->getMessage();
            }
            try {
                self::assertK2MockTranscript($snapshot, $sandbox);
                self::fail('assertK2MockTranscript() after paying another amount');
            } catch (AssertionFailedError $e) {
                self::assertNotInstanceOf(K2MockException::class, $e);
                self::assertSame($failure, $e->getMessage(), 'the trait fails the test with the same message');
            }
        });
        self::assertSame($written, file_get_contents($snapshot));

        // K2MOCK_UPDATE_SNAPSHOTS=1: rewritten, and it passes.
        putenv('K2MOCK_UPDATE_SNAPSHOTS=1');
        try {
            $run(2500, function (Sandbox $sandbox) use ($snapshot): void {
                $sandbox->assertTranscript($snapshot);
                self::assertSame($sandbox->transcript(), file_get_contents($snapshot));
            });
        } finally {
            putenv('K2MOCK_UPDATE_SNAPSHOTS');
        }
        $rewritten = (string)file_get_contents($snapshot);
        self::assertStringContainsString('"amount": "2500.0"', $rewritten);
        self::assertStringNotContainsString('1500', $rewritten);
        $run(2500, fn (Sandbox $sandbox) => $sandbox->assertTranscript($snapshot));

        // A real clock: k2mock's 409, as the kit's ConflictException; the file untouched.
        $run(1500, function (Sandbox $sandbox) use ($snapshot): void {
            self::assertStringStartsWith('# k2mock transcript', $sandbox->transcript(), 'a transcript, but no snapshot');
            try {
                $sandbox->assertTranscript($snapshot);
                self::fail('assertTranscript() on a real clock');
            } catch (ConflictException $e) {
                self::assertInstanceOf(ApiException::class, $e);
                self::assertSame(409, $e->status);
                self::assertSame(['GET', '/__admin/sandboxes/parity-transcript/transcript?snapshot=true'], [$e->method, $e->path]);
                self::assertStringStartsWith('This sandbox runs a real clock: ', $e->errorMessage);
                self::assertStringContainsString('For a snapshot, run it on a manual clock', $e->errorMessage);
                self::assertStringEndsWith("answered 409: {$e->errorMessage}", $e->getMessage());
            }
        }, 'real');
        self::assertSame($rewritten, file_get_contents($snapshot));
    }

    private function caseVersion(): void
    {
        $version = trim((string)file_get_contents(Repo::path('VERSION')));
        self::assertSame('0.1.0', $version);
        self::assertSame($version, K2Mock::VERSION);
        $composer = json_decode((string)file_get_contents(Repo::path('clients/php/composer.json')), true, 512, JSON_THROW_ON_ERROR);
        self::assertSame($version, $composer['version']);
        self::assertSame('k2mock/k2mock', $composer['name']);
        self::assertSame(['php' => '>=8.1'], $composer['require'], 'no runtime dependency');
    }
}
